import DeconflictEngine
package import DeconflictLedger
package import Foundation

/// What the DSS interface answers, as typed values of its schemas
/// (`specs/astm-f3548-utm.yaml`), with the Swift names of their snake_case keys
/// (``encoder`` writes them as the interface spells them), and its refusals, each with
/// a code that the HTTP routes map to a status in one place.
package extension F3548 {
    /// A refusal of the interface: its kind, the message, and for a key that does not
    /// hold every OVN, the `AirspaceConflictResponse`.
    struct Failure: Error, Sendable {
        package enum Code: Sendable {
            /// 400
            case badRequest
            /// 401
            case unauthenticated
            /// 403
            case forbidden
            /// 404
            case notFound
            /// 409
            case conflict
            /// 412
            case preconditionFailed
        }

        package let code: Code
        package let message: String
        /// The whole answer when it says more than the message.
        package var conflict: AirspaceConflict?

        package init(_ code: Code, _ message: String) {
            self.code = code
            self.message = message
        }

        package static func badRequest(_ field: String, _ reason: String) -> Failure { Failure(.badRequest, "\(field): \(reason)") }
    }

    /// Writes answers with the interface's snake_case keys (`uss_base_url`).
    static func encode(_ answer: any Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(answer)) ?? Data("{}".utf8)
    }

    /// An `OperationalIntentReference`.
    struct IntentReference: Encodable, Hashable, Sendable {
        package var id: String
        package var manager: String
        package var ussAvailability: String
        package var version: Int
        package var state: String
        package var ovn: String
        package var timeStart: Time
        package var timeEnd: Time
        package var ussBaseUrl: String
        package var subscriptionId: String
    }

    /// A `ConstraintReference`.
    struct ConstraintReference: Encodable, Hashable, Sendable {
        package var id: String
        package var manager: String
        package var ussAvailability: String
        package var version: Int
        package var ovn: String
        package var timeStart: Time
        package var timeEnd: Time
        package var ussBaseUrl: String
    }

    /// A `Subscription`.
    struct SubscriptionReference: Encodable, Hashable, Sendable {
        package var id: String
        package var version: String
        package var notificationIndex: Int
        package var timeStart: Time
        package var timeEnd: Time
        package var ussBaseUrl: String
        package var notifyForOperationalIntents: Bool
        package var notifyForConstraints: Bool
        package var implicitSubscription: Bool
        package var dependentOperationalIntents: [String]
    }

    /// A `SubscriberToNotify`: the subscriptions of one USS a change advanced.
    struct SubscriberToNotify: Encodable, Hashable, Sendable {
        package struct State: Encodable, Hashable, Sendable {
            package var subscriptionId: String
            package var notificationIndex: Int
        }

        package var ussBaseUrl: String
        package var subscriptions: [State]
    }

    /// `ChangeOperationalIntentReferenceResponse`, and the answer of a query by id.
    struct IntentAnswer: Encodable, Sendable {
        package var operationalIntentReference: IntentReference
        package var subscribers: [SubscriberToNotify]?

        package init(operationalIntentReference: IntentReference, subscribers: [SubscriberToNotify]? = nil) {
            self.operationalIntentReference = operationalIntentReference
            self.subscribers = subscribers
        }
    }

    /// `QueryOperationalIntentReferenceResponse`.
    struct IntentsAnswer: Encodable, Sendable {
        package var operationalIntentReferences: [IntentReference]

        package init(operationalIntentReferences: [IntentReference]) {
            self.operationalIntentReferences = operationalIntentReferences
        }
    }

    /// `ChangeConstraintReferenceResponse`, and the answer of a query by id.
    struct ConstraintAnswer: Encodable, Sendable {
        package var constraintReference: ConstraintReference
        package var subscribers: [SubscriberToNotify]?

        package init(constraintReference: ConstraintReference, subscribers: [SubscriberToNotify]? = nil) {
            self.constraintReference = constraintReference
            self.subscribers = subscribers
        }
    }

    /// `QueryConstraintReferencesResponse`.
    struct ConstraintsAnswer: Encodable, Sendable {
        package var constraintReferences: [ConstraintReference]

        package init(constraintReferences: [ConstraintReference]) {
            self.constraintReferences = constraintReferences
        }
    }

    /// `PutSubscriptionResponse`: the references of the kinds asked for (a kind not
    /// asked for is left out, not empty).
    struct SubscriptionAnswer: Encodable, Sendable {
        package var subscription: SubscriptionReference
        package var operationalIntentReferences: [IntentReference]?
        package var constraintReferences: [ConstraintReference]?

        package init(subscription: SubscriptionReference) {
            self.subscription = subscription
        }
    }

    /// `QuerySubscriptionsResponse`.
    struct SubscriptionsAnswer: Encodable, Sendable {
        package var subscriptions: [SubscriptionReference]

        package init(subscriptions: [SubscriptionReference]) {
            self.subscriptions = subscriptions
        }
    }

    /// `UssAvailabilityStatusResponse`.
    struct AvailabilityAnswer: Encodable, Sendable {
        package struct Status: Encodable, Sendable {
            package var uss: String
            package var availability: String
        }

        package var status: Status
        package var version: String
    }

    /// `AirspaceConflictResponse`: the key lacks the OVNs of these.
    struct AirspaceConflict: Encodable, Sendable {
        package var message: String
        package var missingOperationalIntents: [IntentReference]
        package var missingConstraints: [ConstraintReference]
    }

    /// The answer to a report: the report as sent, with the id it was filed under.
    struct ReportAnswer: Encodable, Sendable {
        package var report: [String: JSONValue]
        package var reportId: String

        package func encode(to encoder: any Encoder) throws {
            var fields = report
            fields["report_id"] = .string(reportId)
            try fields.encode(to: encoder)
        }
    }

    /// `GetConstraintDetailsResponse` of a native zone, as its managing USS publishes it.
    struct ConstraintDetailsAnswer: Encodable, Sendable {
        package struct Constraint: Encodable, Sendable {
            package var reference: ConstraintReference
            package var details: Details
        }

        package struct Details: Encodable, Sendable {
            package var volumes: [Volume4D]
            package var type: String
        }

        package var constraint: Constraint
    }
}

package extension F3548.Time {
    /// `{"value": RFC 3339, "format": "RFC3339"}`, to the microsecond: a USS reads back
    /// the times it sent (Python's clients send microseconds and compare exactly).
    init(_ date: Date) {
        self.init(value: RFC3339.format(date), format: "RFC3339")
    }
}
