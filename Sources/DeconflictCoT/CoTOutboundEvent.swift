import DeconflictEngine
public import Foundation

/// An event Deconflict sends to TAK clients: a zone drawn as a shape, an alert, a reply
/// of the protocol negotiation. ``detail`` is the inner XML of `<detail>`, already
/// escaped (build it with ``CoTDetail``).
public struct CoTOutboundEvent: Hashable, Sendable {
    public var uid: String
    public var type: String
    public var how: String
    public var time: Date
    public var start: Date
    public var stale: Date
    public var latitude: Double
    public var longitude: Double
    public var heightAboveEllipsoid: Double?
    public var circularError: Double?
    public var linearError: Double?
    public var callsign: String?
    public var detail: String

    public init(
        uid: String, type: String, how: String = "h-g-i-g-o", time: Date, start: Date? = nil, stale: Date,
        latitude: Double, longitude: Double, heightAboveEllipsoid: Double? = nil, circularError: Double? = nil,
        linearError: Double? = nil, callsign: String? = nil, detail: String = ""
    ) {
        self.uid = uid
        self.type = type
        self.how = how
        self.time = time
        self.start = start ?? time
        self.stale = stale
        self.latitude = latitude
        self.longitude = longitude
        self.heightAboveEllipsoid = heightAboveEllipsoid
        self.circularError = circularError
        self.linearError = linearError
        self.callsign = callsign
        self.detail = detail
    }

    /// The event as XML, with the `<?xml …?>` header TAK expects before each event.
    public func xml() -> Data {
        var text = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        text += #"<event version="2.0" uid="\#(CoTDetail.escape(uid))" type="\#(CoTDetail.escape(type))" how="\#(CoTDetail.escape(how))""#
        text += #" time="\#(CoTDetail.time(time))" start="\#(CoTDetail.time(start))" stale="\#(CoTDetail.time(stale))">"#
        text += #"<point lat="\#(CoTDetail.number(latitude))" lon="\#(CoTDetail.number(longitude))""#
        text += #" hae="\#(CoTDetail.number(heightAboveEllipsoid ?? CoTEvent.unknown))""#
        text += #" ce="\#(CoTDetail.number(circularError ?? CoTEvent.unknown))" le="\#(CoTDetail.number(linearError ?? CoTEvent.unknown))"/>"#
        text += "<detail>"
        if let callsign { text += #"<contact callsign="\#(CoTDetail.escape(callsign))"/>"# }
        text += detail
        text += "</detail></event>"
        return Data(text.utf8)
    }
}

/// Pieces of `<detail>` XML, escaped.
public enum CoTDetail {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}": continue
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Decimal text without exponent, as CoT readers expect.
    public static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.7f", value)
    }

    /// ISO 8601 in UTC to the millisecond (rounded, as the protobuf encoding's times).
    public static func time(_ date: Date) -> String { RFC3339.milliseconds(date) }

    /// An ARGB colour as the signed 32-bit integer ATAK stores (`-65536` is opaque red).
    public static func argb(_ value: UInt32) -> String { String(Int32(bitPattern: value)) }

    /// Course (degrees true) and speed (metres a second).
    public static func track(courseDegrees: Double, speedMetersPerSecond: Double) -> String {
        #"<track course="\#(number(courseDegrees))" speed="\#(number(speedMetersPerSecond))"/>"#
    }

    /// A marker's colour.
    public static func colour(_ argb: UInt32) -> String { #"<color argb="\#(Self.argb(argb))"/>"# }

    /// `<remarks>` text.
    public static func remarks(_ text: String) -> String { "<remarks>\(escape(text))</remarks>" }

    /// A link from this event to another (the unit an alert concerns, say).
    public static func link(uid: String, type: String, relation: String = "p-p") -> String {
        #"<link uid="\#(escape(uid))" type="\#(escape(type))" relation="\#(escape(relation))"/>"#
    }

    /// A circle (`u-d-c-c`): an ellipse whose axes are the radius, in metres.
    public static func circle(radiusMeters: Double, stroke: UInt32, fill: UInt32) -> String {
        let radius = number(radiusMeters)
        return #"<shape><ellipse major="\#(radius)" minor="\#(radius)" angle="360"/></shape>"#
            + style(stroke: stroke, fill: fill)
    }

    /// A closed polygon (`u-d-f`): one `<link point="lat,lon"/>` per vertex, the first
    /// repeated at the end.
    public static func polygon(_ vertices: [(latitude: Double, longitude: Double)], stroke: UInt32, fill: UInt32) -> String {
        var text = ""
        for vertex in vertices + vertices.prefix(1) {
            text += #"<link point="\#(number(vertex.latitude)),\#(number(vertex.longitude))"/>"#
        }
        return text + style(stroke: stroke, fill: fill)
    }

    private static func style(stroke: UInt32, fill: UInt32) -> String {
        #"<strokeColor value="\#(argb(stroke))"/><strokeWeight value="3.0"/><fillColor value="\#(argb(fill))"/><labels_on value="true"/>"#
    }

    /// ATAK's geofence detail: the altitude band (metres above the ellipsoid) and what
    /// to watch for.
    public static func geofence(minimumMeters: Double, maximumMeters: Double) -> String {
        #"<__geofence elevationMonitored="true" minElevation="\#(number(minimumMeters))" maxElevation="\#(number(maximumMeters))" monitor="All" trigger="Entry" tracking="true"/>"#
    }

    /// An emergency (`b-a-…`) naming what happened; `cancel` when it is over.
    public static func emergency(_ type: String, text: String, cancel: Bool = false) -> String {
        #"<emergency type="\#(escape(type))"\#(cancel ? #" cancel="true""# : "")>\#(escape(text))</emergency>"#
    }

    /// The server's offer of TAK protocol version 1 (`t-x-takp-v`).
    public static let takProtocolSupport = #"<TakControl><TakProtocolSupport version="1"/></TakControl>"#

    /// The answer to a client's request to switch (`t-x-takp-r`).
    public static func takResponse(accepted: Bool) -> String {
        #"<TakControl><TakResponse status="\#(accepted)"/></TakControl>"#
    }
}
