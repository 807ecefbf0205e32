/// The OpenAPI 3.1 document of the native API, served at `/openapi.json`.
///
/// Keep it in step with the routes (`OpenAPITests` compares the two) and with what they
/// answer (`scripts/schemathesis` checks the running server against it).
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Deconflict",
            "version": "1",
            "description": "The native REST/JSON API of a Deconflict node. Every write answers once durable, with `sequence`: the ledger sequence of its last entry, from which a stream can resume. Errors are `application/problem+json` naming the field at fault. Times are RFC 3339; positions `[latitude, longitude]`."
          },
          "servers": [{"url": "/"}],
          "security": [{"bearer": []}, {"apiKey": []}],
          "tags": [
            {"name": "Service"},
            {"name": "Parties"},
            {"name": "Agreements"},
            {"name": "Zones"},
            {"name": "Units"},
            {"name": "Situation"},
            {"name": "Operations"},
            {"name": "Alerts"},
            {"name": "Messages"},
            {"name": "Incidents"},
            {"name": "Ledger"},
            {"name": "Webhooks"}
          ],
          "paths": {
            "/healthz": {
              "get": {
                "operationId": "health",
                "summary": "Liveness",
                "tags": ["Service"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": ["status"],
                          "properties": {"status": {"const": "ok"}},
                          "additionalProperties": true
                        }
                      }
                    }
                  }
                },
                "security": []
              }
            },
            "/readyz": {
              "get": {
                "operationId": "readiness",
                "summary": "Readiness: the store answers",
                "tags": ["Service"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": ["status", "ledgerHead", "applied"],
                          "properties": {
                            "status": {"const": "ready"},
                            "ledgerHead": {
                              "allOf": [{"$ref": "#/components/schemas/Sequence"}],
                              "description": "The store's last ledger sequence."
                            },
                            "applied": {
                              "allOf": [{"$ref": "#/components/schemas/Sequence"}],
                              "description": "The last sequence this node applied."
                            }
                          },
                          "additionalProperties": true
                        }
                      }
                    }
                  },
                  "503": {"$ref": "#/components/responses/Unavailable"}
                },
                "security": []
              }
            },
            "/openapi.json": {
              "get": {
                "operationId": "openAPIDocument",
                "summary": "This document",
                "tags": ["Service"],
                "responses": {
                  "200": {
                    "description": "The OpenAPI 3.1 document.",
                    "content": {"application/json": {"schema": {"type": "object"}}}
                  }
                },
                "security": []
              }
            },
            "/metrics": {
              "get": {
                "operationId": "metrics",
                "summary": "Prometheus metrics",
                "tags": ["Service"],
                "responses": {
                  "200": {
                    "description": "The Prometheus text exposition format (version 0.0.4).",
                    "content": {"text/plain": {"schema": {"type": "string"}}}
                  }
                },
                "security": []
              }
            },
            "/v1/parties": {
              "get": {
                "operationId": "listParties",
                "summary": "Parties and who answers for whom",
                "tags": ["Parties"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PartyList"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"}
                }
              },
              "post": {
                "operationId": "addParty",
                "summary": "Add a party and issue its first API key (operator)",
                "tags": ["Parties"],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PartyInput"}}}
                },
                "responses": {
                  "201": {
                    "description": "Added; the key is shown once.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewParty"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/parties/{id}/keys": {
              "post": {
                "operationId": "issueKey",
                "summary": "Issue another API key for a party (operator)",
                "tags": ["Parties"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "201": {
                    "description": "Issued; the key is shown once.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewKey"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/keys/{id}": {
              "delete": {
                "operationId": "revokeKey",
                "summary": "Revoke an API key by its id (operator)",
                "tags": ["Parties"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RevokedKey"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/responsibilities": {
              "post": {
                "operationId": "setResponsibility",
                "summary": "Record that a sponsor answers for a client",
                "description": "A party records only what it answers for itself (it is the sponsor); only the sponsor can confirm. The operator may record an unconfirmed one.",
                "tags": ["Parties"],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ResponsibilityInput"}}}
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ResponsibilitySet"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/agreements": {
              "get": {
                "operationId": "listAgreements",
                "summary": "The agreements the caller signs (all, for the operator)",
                "tags": ["Agreements"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AgreementList"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"}
                }
              }
            },
            "/v1/agreements/{id}": {
              "parameters": [{"$ref": "#/components/parameters/id"}],
              "get": {
                "operationId": "getAgreement",
                "summary": "An agreement",
                "tags": ["Agreements"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Agreement"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"}
                }
              },
              "put": {
                "operationId": "putAgreement",
                "summary": "Propose an agreement, or change its terms (a signatory)",
                "tags": ["Agreements"],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AgreementInput"}}}
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "allOf": [{"$ref": "#/components/schemas/Agreement"}, {"$ref": "#/components/schemas/Written"}]
                        }
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/agreements/{id}/sign": {
              "post": {
                "operationId": "signAgreement",
                "summary": "Sign an agreement (a signatory)",
                "tags": ["Agreements"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "allOf": [{"$ref": "#/components/schemas/Agreement"}, {"$ref": "#/components/schemas/Written"}]
                        }
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/agreements/{id}/withdraw": {
              "post": {
                "operationId": "withdrawAgreement",
                "summary": "Withdraw from an agreement (a signatory); every party is alerted",
                "tags": ["Agreements"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "allOf": [{"$ref": "#/components/schemas/Agreement"}, {"$ref": "#/components/schemas/Written"}]
                        }
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/zones": {
              "get": {
                "operationId": "listZones",
                "summary": "Every zone",
                "tags": ["Zones"],
                "parameters": [
                  {
                    "name": "format",
                    "in": "query",
                    "required": false,
                    "description": "`geojson` for a GeoJSON FeatureCollection (`application/geo+json`); any other value gives the plain list.",
                    "schema": {"type": "string", "enum": ["geojson"]}
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The zones; a GeoJSON FeatureCollection with `?format=geojson`.",
                    "content": {
                      "application/json": {"schema": {"$ref": "#/components/schemas/ZoneList"}},
                      "application/geo+json": {"schema": {"$ref": "#/components/schemas/ZoneFeatureCollection"}}
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"}
                }
              }
            },
            "/v1/zones/import": {
              "post": {
                "operationId": "importZones",
                "summary": "Declare zones from GeoJSON",
                "description": "Each feature is checked first (the first fault is named by its feature index, such as `features[2].geometry.coordinates`), then the zones are declared one by one.",
                "tags": ["Zones"],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/geo+json": {"schema": {"$ref": "#/components/schemas/ZoneImport"}},
                    "application/json": {"schema": {"$ref": "#/components/schemas/ZoneImport"}}
                  }
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportedZones"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/zones/{id}": {
              "parameters": [{"$ref": "#/components/parameters/id"}],
              "get": {
                "operationId": "getZone",
                "summary": "A zone",
                "tags": ["Zones"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Zone"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"}
                }
              },
              "put": {
                "operationId": "putZone",
                "summary": "Declare or change one of the caller's zones",
                "description": "The body's `id` must be the path's.",
                "tags": ["Zones"],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ZoneInput"}}}
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {"allOf": [{"$ref": "#/components/schemas/Zone"}, {"$ref": "#/components/schemas/Written"}]}
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              },
              "delete": {
                "operationId": "removeZone",
                "summary": "Remove one of the caller's zones",
                "tags": ["Zones"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RemovedZone"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/units": {
              "get": {
                "operationId": "listUnits",
                "summary": "Every unit, as the caller may see it",
                "tags": ["Units"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UnitList"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              },
              "post": {
                "operationId": "addUnit",
                "summary": "Add one of the caller's units",
                "tags": ["Units"],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UnitInput"}}}
                },
                "responses": {
                  "201": {
                    "description": "Added.",
                    "content": {
                      "application/json": {
                        "schema": {"allOf": [{"$ref": "#/components/schemas/Unit"}, {"$ref": "#/components/schemas/Written"}]}
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/units/{id}": {
              "get": {
                "operationId": "getUnit",
                "summary": "A unit, as the caller may see it",
                "tags": ["Units"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Unit"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/reports": {
              "post": {
                "operationId": "submitReports",
                "summary": "Report positions of the caller's units",
                "description": "When no report is accepted, the answer is a problem whose status is that of the first refusal (403: another party's unit, 404: an unknown unit, 422: a value), with every refusal in `rejected`.",
                "tags": ["Units"],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ReportBatch"}},
                    "application/x-ndjson": {
                      "schema": {
                        "type": "string",
                        "description": "One report (as `ReportInput`) per line; blank lines are skipped."
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "At least one report accepted; the others are listed in `rejected`.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportResult"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/operations": {
              "get": {
                "operationId": "listOperations",
                "summary": "Every operation; other parties' as references",
                "tags": ["Operations"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OperationList"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"}
                }
              }
            },
            "/v1/operations/check": {
              "post": {
                "operationId": "checkOperation",
                "summary": "What an operation would conflict with (nothing is recorded)",
                "tags": ["Operations"],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OperationInput"}}}
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Check"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/operations/{id}": {
              "parameters": [{"$ref": "#/components/parameters/id"}],
              "get": {
                "operationId": "getOperation",
                "summary": "An operation",
                "tags": ["Operations"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Operation"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"}
                }
              },
              "put": {
                "operationId": "putOperation",
                "summary": "Plan or change one of the caller's operations",
                "description": "The body's `id` must be the path's. A planned or active operation that overlaps another party's planned or active one in volume and time is refused (409).",
                "tags": ["Operations"],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OperationInput"}}}
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlannedOperation"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/operations/{id}/notify": {
              "post": {
                "operationId": "notifyOperation",
                "summary": "Give notice of one of the caller's operations",
                "tags": ["Operations"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "allOf": [{"$ref": "#/components/schemas/Operation"}, {"$ref": "#/components/schemas/Written"}]
                        }
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/operations/{id}/state": {
              "post": {
                "operationId": "setOperationState",
                "summary": "Change the state of one of the caller's operations",
                "tags": ["Operations"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StateInput"}}}
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "allOf": [{"$ref": "#/components/schemas/Operation"}, {"$ref": "#/components/schemas/Written"}]
                        }
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/situation": {
              "get": {
                "operationId": "getSituation",
                "summary": "What a map of the caller shows, now or at a past instant",
                "description": "Zones, units as the caller may see them (with their recent tracks), alerts addressed to it, operations and agreements. With `at`, the ledger is replayed up to that instant (the after-action review).",
                "tags": ["Situation"],
                "parameters": [
                  {
                    "name": "at",
                    "in": "query",
                    "required": false,
                    "description": "A past instant (RFC 3339); now when absent.",
                    "schema": {"type": "string", "format": "date-time"}
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Situation"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/alerts": {
              "get": {
                "operationId": "listAlerts",
                "summary": "Alerts addressed to the caller (all, for the operator)",
                "tags": ["Alerts"],
                "parameters": [
                  {
                    "name": "state",
                    "in": "query",
                    "required": false,
                    "description": "`all` includes resolved alerts; otherwise only open ones.",
                    "schema": {"type": "string", "enum": ["all"]}
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AlertList"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"}
                }
              }
            },
            "/v1/alerts/{id}": {
              "get": {
                "operationId": "getAlert",
                "summary": "An alert addressed to the caller",
                "tags": ["Alerts"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Alert"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"}
                }
              }
            },
            "/v1/alerts/{id}/acknowledge": {
              "post": {
                "operationId": "acknowledgeAlert",
                "summary": "Acknowledge an alert (an addressee)",
                "tags": ["Alerts"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {"allOf": [{"$ref": "#/components/schemas/Alert"}, {"$ref": "#/components/schemas/Written"}]}
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/alerts/{id}/resolve": {
              "post": {
                "operationId": "resolveAlert",
                "summary": "Resolve an alert (an addressee)",
                "tags": ["Alerts"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ResolveInput"}}}
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {"allOf": [{"$ref": "#/components/schemas/Alert"}, {"$ref": "#/components/schemas/Written"}]}
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/messages": {
              "get": {
                "operationId": "listMessages",
                "summary": "Messages the caller sent or received (all, for the operator)",
                "tags": ["Messages"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MessageList"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"}
                }
              },
              "post": {
                "operationId": "sendMessage",
                "summary": "Send a message to other parties",
                "tags": ["Messages"],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MessageInput"}}}
                },
                "responses": {
                  "201": {
                    "description": "Sent.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "allOf": [{"$ref": "#/components/schemas/Message"}, {"$ref": "#/components/schemas/Written"}]
                        }
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/messages/{id}": {
              "get": {
                "operationId": "getMessage",
                "summary": "A message the caller sent or received",
                "tags": ["Messages"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "200": {
                    "description": "The message; a recipient's first read records its delivery (and adds `sequence`).",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/messages/{id}/acknowledge": {
              "post": {
                "operationId": "acknowledgeMessage",
                "summary": "Acknowledge a message (a recipient)",
                "tags": ["Messages"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "allOf": [{"$ref": "#/components/schemas/Message"}, {"$ref": "#/components/schemas/Written"}]
                        }
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/incidents": {
              "get": {
                "operationId": "listIncidents",
                "summary": "Every incident",
                "tags": ["Incidents"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IncidentList"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"}
                }
              },
              "post": {
                "operationId": "recordIncident",
                "summary": "Record an incident",
                "tags": ["Incidents"],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IncidentInput"}}}
                },
                "responses": {
                  "201": {
                    "description": "Recorded.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "allOf": [{"$ref": "#/components/schemas/Incident"}, {"$ref": "#/components/schemas/Written"}]
                        }
                      }
                    }
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/ledger": {
              "get": {
                "operationId": "readLedger",
                "summary": "The ledger as JSON Lines",
                "tags": ["Ledger"],
                "parameters": [
                  {
                    "name": "after",
                    "in": "query",
                    "required": false,
                    "description": "Entries after this sequence; 0 when absent.",
                    "schema": {"type": "integer", "minimum": 0, "default": 0}
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "required": false,
                    "description": "At most this many entries are read (before filtering what a party may see), 1 to 100,000.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 10000}
                  }
                ],
                "responses": {
                  "200": {
                    "description": "One entry per line: `{\"sequence\", \"time\", \"type\", \"previous\", \"hash\", \"payload\"}` (the `deconflict export` format). A party gets the entries it may see.",
                    "content": {"application/x-ndjson": {"schema": {"type": "string"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/events": {
              "get": {
                "operationId": "streamEvents",
                "summary": "The ledger, then live, as server-sent events",
                "tags": ["Ledger"],
                "parameters": [
                  {
                    "name": "after",
                    "in": "query",
                    "required": false,
                    "description": "Resume after this sequence (the stream's `id`); 0 when absent.",
                    "schema": {"type": "integer", "minimum": 0}
                  },
                  {
                    "name": "Last-Event-ID",
                    "in": "header",
                    "required": false,
                    "description": "As `after`, when `after` is absent.",
                    "schema": {"type": "integer", "minimum": 0}
                  },
                  {"$ref": "#/components/parameters/access_token"}
                ],
                "responses": {
                  "200": {
                    "description": "An endless `text/event-stream`: each entry the caller may see as `id: <sequence>`, `event: <type>`, `data: {\"sequence\", \"time\", \"type\", \"data\"}`.",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "422": {"$ref": "#/components/responses/Invalid"}
                }
              }
            },
            "/v1/events/ws": {
              "get": {
                "operationId": "streamEventsWebSocket",
                "summary": "The ledger, then live, over a WebSocket",
                "tags": ["Ledger"],
                "parameters": [
                  {
                    "name": "after",
                    "in": "query",
                    "required": false,
                    "description": "Resume after this sequence; 0 when absent.",
                    "schema": {"type": "integer", "minimum": 0}
                  },
                  {"$ref": "#/components/parameters/access_token"}
                ],
                "responses": {
                  "101": {
                    "description": "Switching to the WebSocket protocol: each entry the caller may see as a text message `{\"sequence\", \"time\", \"type\", \"data\"}`."
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "426": {"description": "Not a WebSocket upgrade request: send `Upgrade: websocket`, or use `/v1/events`.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
                }
              }
            },
            "/v1/webhooks": {
              "get": {
                "operationId": "listWebhooks",
                "summary": "The caller's webhooks and their delivery",
                "tags": ["Webhooks"],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookList"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"}
                }
              },
              "post": {
                "operationId": "registerWebhook",
                "summary": "Register a webhook: the caller's stream, POSTed entry by entry",
                "description": "Each entry the caller may see is POSTed as `{\"sequence\", \"time\", \"type\", \"data\"}`, signed `Deconflict-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`, numbered `Deconflict-Event-Id: <sequence>`; failures are retried, nothing is skipped.",
                "tags": ["Webhooks"],
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookInput"}}}
                },
                "responses": {
                  "201": {
                    "description": "Registered; the secret is shown once.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewWebhook"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/webhooks/{id}": {
              "delete": {
                "operationId": "removeWebhook",
                "summary": "Remove one of the caller's webhooks",
                "tags": ["Webhooks"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Removed"}}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "429": {"$ref": "#/components/responses/TooManyRequests"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "422": {"$ref": "#/components/responses/Invalid"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            }
          },
          "components": {
            "securitySchemes": {
              "bearer": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "dck_… API key or JWT",
                "description": "`Authorization: Bearer <key>`: a party's or the operator's API key (`dck_<id>_<secret>`), or a JWT whose subject is a party (when token keys are configured). Browsers that cannot set headers (EventSource, WebSocket) may pass it as `?access_token=`."
              },
              "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "An API key (`dck_…`)."}
            },
            "parameters": {
              "id": {"name": "id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Identifier"}},
              "access_token": {
                "name": "access_token",
                "in": "query",
                "required": false,
                "description": "The credential, for clients that cannot set headers (EventSource, WebSocket in a browser).",
                "schema": {"type": "string"}
              }
            },
            "responses": {
              "Unauthorized": {
                "description": "No credential, or an unknown or revoked one.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "Forbidden": {
                "description": "The caller may not do this.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "NotFound": {
                "description": "Something named is not known.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "Conflict": {
                "description": "It exists already, or conflicts.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "TooLarge": {
                "description": "The body is larger than 16 MiB, or a batch has more than 20,000 reports.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "Invalid": {
                "description": "A value is refused: the field at fault is named.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "Unavailable": {
                "description": "The store is unavailable.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "TooManyRequests": {
                "description": "A rate limit is spent: `limit` names it (`credential`: requests with this credential; `address`: failed authentications from this address). `Retry-After` says when to try again.",
                "headers": {
                  "Retry-After": {"description": "Whole seconds until a request may succeed.", "schema": {"type": "integer", "minimum": 1}}
                },
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              }
            },
            "schemas": {
              "Problem": {
                "type": "object",
                "description": "An error, as RFC 9457 problem details (`application/problem+json`).",
                "required": ["type", "title", "status", "detail", "reason"],
                "properties": {
                  "type": {"type": "string", "description": "Always `about:blank`."},
                  "title": {"type": "string", "description": "The status's phrase, such as `Unprocessable Content`."},
                  "status": {"type": "integer", "description": "The HTTP status code."},
                  "detail": {"type": "string", "description": "`field: reason`, or the reason alone."},
                  "field": {
                    "type": "string",
                    "description": "The field at fault, as a JSON path such as `zone.polygon[0][3]`, `[2].position` or `Authorization`."
                  },
                  "reason": {"type": "string", "description": "Why the request was refused."},
                  "limit": {"type": "string", "enum": ["credential", "address"], "description": "429 only: the rate limit that is spent."},
                  "rejected": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Rejection"},
                    "description": "`POST /v1/reports` only, when no report was accepted: every report refused."
                  }
                },
                "additionalProperties": true
              },
              "Identifier": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128,
                "pattern": "^[A-Za-z0-9._:-]+$",
                "description": "An id: 1 to 128 letters, digits, `-`, `_`, `.` or `:`."
              },
              "PartyID": {"type": "string", "description": "A party's id."},
              "Time": {
                "type": "string",
                "format": "date-time",
                "description": "An RFC 3339 time, such as `2026-05-01T12:00:00Z`; written in UTC with fractions of a second only when there are any."
              },
              "Sequence": {"type": "integer", "minimum": 0, "description": "A ledger sequence number."},
              "Written": {
                "type": "object",
                "description": "What a write adds to its answer: the ledger sequence of its last entry, from which a stream can resume.",
                "required": ["sequence"],
                "properties": {"sequence": {"$ref": "#/components/schemas/Sequence"}},
                "additionalProperties": true
              },
              "Position": {
                "type": "array",
                "description": "`[latitude, longitude]` in degrees (WGS84).",
                "prefixItems": [
                  {"type": "number", "minimum": -90, "maximum": 90},
                  {"type": "number", "minimum": -180, "maximum": 180}
                ],
                "items": false,
                "minItems": 2,
                "maxItems": 2
              },
              "AltitudeBand": {
                "type": "array",
                "description": "`[lower, upper]` metres above the WGS84 ellipsoid, lower ≤ upper.",
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2
              },
              "Circle": {
                "type": "object",
                "description": "A circle on the ellipsoid.",
                "required": ["center", "radius"],
                "properties": {
                  "center": {"$ref": "#/components/schemas/Position"},
                  "radius": {"type": "number", "exclusiveMinimum": 0, "maximum": 2000000, "description": "Metres."}
                },
                "additionalProperties": true
              },
              "Polygon": {
                "type": "array",
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Position"}, "minItems": 3},
                "minItems": 1,
                "description": "Rings of `[latitude, longitude]` positions, not closed (the last vertex is not the first again): the first ring is the outer one, the others are holes. At most 10,000 vertices in all; rings must be simple and the holes inside the outer ring."
              },
              "VolumeInput": {
                "type": "object",
                "description": "A 4D volume: a circle or a polygon (exactly one), an altitude band and a time window.",
                "properties": {
                  "circle": {"$ref": "#/components/schemas/Circle"},
                  "polygon": {"$ref": "#/components/schemas/Polygon"},
                  "altitude": {
                    "allOf": [{"$ref": "#/components/schemas/AltitudeBand"}],
                    "description": "Every altitude when absent."
                  },
                  "from": {"allOf": [{"$ref": "#/components/schemas/Time"}], "description": "Start; unbounded when absent."},
                  "until": {
                    "allOf": [{"$ref": "#/components/schemas/Time"}],
                    "description": "End, after `from`; unbounded when absent."
                  }
                },
                "additionalProperties": true,
                "oneOf": [
                  {"required": ["circle"], "not": {"required": ["polygon"]}},
                  {"required": ["polygon"], "not": {"required": ["circle"]}}
                ]
              },
              "Volume": {
                "type": "object",
                "description": "A 4D volume: `circle` or `polygon`, `altitude`, and `from`/`until` when bounded.",
                "required": ["altitude"],
                "properties": {
                  "circle": {"$ref": "#/components/schemas/Circle"},
                  "polygon": {"$ref": "#/components/schemas/Polygon"},
                  "altitude": {"$ref": "#/components/schemas/AltitudeBand"},
                  "from": {"$ref": "#/components/schemas/Time"},
                  "until": {"$ref": "#/components/schemas/Time"}
                },
                "additionalProperties": true
              },
              "PartyInput": {
                "type": "object",
                "required": ["id"],
                "properties": {
                  "id": {"$ref": "#/components/schemas/Identifier"},
                  "name": {"type": "string", "description": "A display name; the id when absent."}
                },
                "additionalProperties": true
              },
              "Party": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
                "additionalProperties": true
              },
              "Responsibility": {
                "type": "object",
                "description": "The sponsor answers for the client (alerts about the client's units reach it).",
                "required": ["sponsor", "client", "confirmed"],
                "properties": {
                  "sponsor": {"$ref": "#/components/schemas/PartyID"},
                  "client": {"$ref": "#/components/schemas/PartyID"},
                  "confirmed": {"type": "boolean"}
                },
                "additionalProperties": true
              },
              "ResponsibilityInput": {
                "type": "object",
                "required": ["sponsor", "client"],
                "properties": {
                  "sponsor": {"$ref": "#/components/schemas/PartyID"},
                  "client": {"$ref": "#/components/schemas/PartyID"},
                  "confirmed": {"type": "boolean", "description": "Only the sponsor may confirm; false when absent."}
                },
                "additionalProperties": true
              },
              "PartyList": {
                "type": "object",
                "required": ["parties", "responsibilities"],
                "properties": {
                  "parties": {"type": "array", "items": {"$ref": "#/components/schemas/Party"}},
                  "responsibilities": {"type": "array", "items": {"$ref": "#/components/schemas/Responsibility"}}
                },
                "additionalProperties": true
              },
              "NewParty": {
                "type": "object",
                "required": ["party", "key", "sequence"],
                "properties": {
                  "party": {"$ref": "#/components/schemas/Party"},
                  "key": {"type": "string", "description": "The party's first API key (`dck_…`), shown once."},
                  "sequence": {"$ref": "#/components/schemas/Sequence"}
                },
                "additionalProperties": true
              },
              "NewKey": {
                "type": "object",
                "required": ["party", "key", "keyId", "sequence"],
                "properties": {
                  "party": {"$ref": "#/components/schemas/PartyID"},
                  "key": {"type": "string", "description": "The API key (`dck_…`), shown once."},
                  "keyId": {"type": "string", "description": "The key's public id, for `DELETE /v1/keys/{id}`."},
                  "sequence": {"$ref": "#/components/schemas/Sequence"}
                },
                "additionalProperties": true
              },
              "RevokedKey": {
                "type": "object",
                "required": ["revoked", "sequence"],
                "properties": {"revoked": {"type": "string"}, "sequence": {"$ref": "#/components/schemas/Sequence"}},
                "additionalProperties": true
              },
              "ResponsibilitySet": {
                "type": "object",
                "required": ["responsibility", "sequence"],
                "properties": {
                  "responsibility": {"$ref": "#/components/schemas/Responsibility"},
                  "sequence": {"$ref": "#/components/schemas/Sequence"}
                },
                "additionalProperties": true
              },
              "AgreementStatus": {"type": "string", "enum": ["proposed", "signed", "withdrawn"]},
              "AgreementParametersInput": {
                "type": "object",
                "description": "Values that differ from the defaults; each a finite number ≥ 0.",
                "properties": {
                  "groundSeparationMeters": {"type": "number", "minimum": 0},
                  "airSeparationMeters": {"type": "number", "minimum": 0},
                  "verticalSeparationMeters": {"type": "number", "minimum": 0},
                  "noticeLeadSeconds": {"type": "number", "minimum": 0},
                  "acknowledgementSeconds": {"type": "number", "minimum": 0},
                  "escalationSeconds": {"type": "number", "minimum": 0}
                },
                "additionalProperties": true
              },
              "AgreementParameters": {
                "type": "object",
                "required": [
                  "groundSeparationMeters",
                  "airSeparationMeters",
                  "verticalSeparationMeters",
                  "noticeLeadSeconds",
                  "acknowledgementSeconds",
                  "escalationSeconds"
                ],
                "properties": {
                  "groundSeparationMeters": {"type": "number"},
                  "airSeparationMeters": {"type": "number"},
                  "verticalSeparationMeters": {"type": "number"},
                  "noticeLeadSeconds": {"type": "number"},
                  "acknowledgementSeconds": {"type": "number"},
                  "escalationSeconds": {"type": "number"}
                },
                "additionalProperties": true
              },
              "AgreementInput": {
                "type": "object",
                "required": ["id", "title", "signatories"],
                "properties": {
                  "id": {"$ref": "#/components/schemas/Identifier"},
                  "title": {"type": "string"},
                  "signatories": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {"$ref": "#/components/schemas/AgreementStatus"},
                    "description": "Party id to status. The caller must be one; it sets its own status, the others start (or stay, when the terms are unchanged) as they were, else `proposed`."
                  },
                  "parameters": {"$ref": "#/components/schemas/AgreementParametersInput"}
                },
                "additionalProperties": true
              },
              "Agreement": {
                "type": "object",
                "required": ["id", "title", "signatories", "parameters"],
                "properties": {
                  "id": {"type": "string"},
                  "title": {"type": "string"},
                  "signatories": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/AgreementStatus"}},
                  "parameters": {"$ref": "#/components/schemas/AgreementParameters"}
                },
                "additionalProperties": true
              },
              "AgreementList": {
                "type": "object",
                "required": ["agreements"],
                "properties": {"agreements": {"type": "array", "items": {"$ref": "#/components/schemas/Agreement"}}},
                "additionalProperties": true
              },
              "ZoneKind": {"type": "string", "enum": ["deconfliction-zone", "protected-site", "no-fly-area", "corridor"]},
              "ZoneInput": {
                "type": "object",
                "description": "A zone: a circle or a polygon (exactly one), with an altitude band and a time window.",
                "required": ["id", "kind"],
                "properties": {
                  "id": {"$ref": "#/components/schemas/Identifier"},
                  "name": {"type": "string", "description": "The id when absent."},
                  "kind": {"$ref": "#/components/schemas/ZoneKind"},
                  "owner": {
                    "allOf": [{"$ref": "#/components/schemas/PartyID"}],
                    "description": "The caller; another party is refused (403)."
                  },
                  "agreement": {
                    "type": "string",
                    "description": "The agreement the zone belongs to; the caller must be a signatory."
                  },
                  "circle": {"$ref": "#/components/schemas/Circle"},
                  "polygon": {"$ref": "#/components/schemas/Polygon"},
                  "altitude": {
                    "allOf": [{"$ref": "#/components/schemas/AltitudeBand"}],
                    "description": "Every altitude when absent."
                  },
                  "from": {"$ref": "#/components/schemas/Time"},
                  "until": {"$ref": "#/components/schemas/Time"},
                  "allowed": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/PartyID"},
                    "description": "Parties the zone does not exclude."
                  },
                  "revalidateBy": {
                    "allOf": [{"$ref": "#/components/schemas/Time"}],
                    "description": "When the declaration must be revalidated; past it the zone is stale."
                  }
                },
                "additionalProperties": true,
                "oneOf": [
                  {"required": ["circle"], "not": {"required": ["polygon"]}},
                  {"required": ["polygon"], "not": {"required": ["circle"]}}
                ]
              },
              "Zone": {
                "type": "object",
                "required": ["id", "name", "kind", "owner", "altitude", "allowed", "stale"],
                "properties": {
                  "id": {"type": "string"},
                  "name": {"type": "string"},
                  "kind": {"$ref": "#/components/schemas/ZoneKind"},
                  "owner": {"$ref": "#/components/schemas/PartyID"},
                  "agreement": {"type": "string"},
                  "circle": {"$ref": "#/components/schemas/Circle"},
                  "polygon": {"$ref": "#/components/schemas/Polygon"},
                  "altitude": {"$ref": "#/components/schemas/AltitudeBand"},
                  "from": {"$ref": "#/components/schemas/Time"},
                  "until": {"$ref": "#/components/schemas/Time"},
                  "allowed": {"type": "array", "items": {"$ref": "#/components/schemas/PartyID"}},
                  "revalidateBy": {"$ref": "#/components/schemas/Time"},
                  "stale": {"type": "boolean", "description": "Past its `revalidateBy`."}
                },
                "additionalProperties": true
              },
              "ZoneList": {
                "type": "object",
                "required": ["zones"],
                "properties": {"zones": {"type": "array", "items": {"$ref": "#/components/schemas/Zone"}}},
                "additionalProperties": true
              },
              "RemovedZone": {
                "type": "object",
                "required": ["removed", "sequence"],
                "properties": {"removed": {"type": "string"}, "sequence": {"$ref": "#/components/schemas/Sequence"}},
                "additionalProperties": true
              },
              "GeoJSONGeometry": {
                "oneOf": [
                  {
                    "type": "object",
                    "required": ["type", "coordinates"],
                    "properties": {
                      "type": {"const": "Point"},
                      "coordinates": {
                        "type": "array",
                        "items": {"type": "number"},
                        "minItems": 2,
                        "description": "`[longitude, latitude]`."
                      }
                    },
                    "additionalProperties": true
                  },
                  {
                    "type": "object",
                    "required": ["type", "coordinates"],
                    "properties": {
                      "type": {"const": "Polygon"},
                      "coordinates": {
                        "type": "array",
                        "items": {"type": "array", "items": {"type": "array", "items": {"type": "number"}, "minItems": 2}},
                        "description": "Rings of `[longitude, latitude]`, closed or not."
                      }
                    },
                    "additionalProperties": true
                  }
                ]
              },
              "ZoneFeature": {
                "type": "object",
                "description": "A zone as a GeoJSON Feature: a polygon zone is a `Polygon` (rings closed, positions `[longitude, latitude]`), a circle a `Point` with `radius` among the properties.",
                "required": ["type", "id", "geometry", "properties"],
                "properties": {
                  "type": {"const": "Feature"},
                  "id": {"type": "string"},
                  "geometry": {"$ref": "#/components/schemas/GeoJSONGeometry"},
                  "properties": {
                    "type": "object",
                    "required": ["id", "name", "kind", "owner", "altitude", "allowed", "stale"],
                    "properties": {
                      "id": {"type": "string"},
                      "name": {"type": "string"},
                      "kind": {"$ref": "#/components/schemas/ZoneKind"},
                      "owner": {"$ref": "#/components/schemas/PartyID"},
                      "agreement": {"type": "string"},
                      "radius": {"type": "number", "description": "Metres, for a `Point`."},
                      "altitude": {"$ref": "#/components/schemas/AltitudeBand"},
                      "from": {"$ref": "#/components/schemas/Time"},
                      "until": {"$ref": "#/components/schemas/Time"},
                      "allowed": {"type": "array", "items": {"$ref": "#/components/schemas/PartyID"}},
                      "revalidateBy": {"$ref": "#/components/schemas/Time"},
                      "stale": {"type": "boolean"}
                    },
                    "additionalProperties": true
                  }
                },
                "additionalProperties": true
              },
              "ZoneFeatureCollection": {
                "type": "object",
                "required": ["type", "features"],
                "properties": {
                  "type": {"const": "FeatureCollection"},
                  "features": {"type": "array", "items": {"$ref": "#/components/schemas/ZoneFeature"}}
                },
                "additionalProperties": true
              },
              "ZoneImportFeature": {
                "type": "object",
                "required": ["type", "geometry"],
                "properties": {
                  "type": {"const": "Feature"},
                  "id": {"type": "string", "description": "The zone id, unless `properties.id` gives it."},
                  "geometry": {"$ref": "#/components/schemas/GeoJSONGeometry"},
                  "properties": {
                    "type": "object",
                    "properties": {
                      "id": {"$ref": "#/components/schemas/Identifier"},
                      "name": {"type": "string"},
                      "kind": {
                        "allOf": [{"$ref": "#/components/schemas/ZoneKind"}],
                        "description": "`deconfliction-zone` when absent."
                      },
                      "agreement": {"type": "string"},
                      "radius": {"type": "number", "exclusiveMinimum": 0, "description": "Metres; required with a `Point`."},
                      "altitude": {"$ref": "#/components/schemas/AltitudeBand"},
                      "from": {"$ref": "#/components/schemas/Time"},
                      "until": {"$ref": "#/components/schemas/Time"},
                      "allowed": {"type": "array", "items": {"$ref": "#/components/schemas/PartyID"}},
                      "revalidateBy": {"$ref": "#/components/schemas/Time"}
                    },
                    "additionalProperties": true
                  }
                },
                "additionalProperties": true
              },
              "ZoneImport": {
                "description": "A GeoJSON FeatureCollection of zones, or a single Feature. The caller owns them all.",
                "oneOf": [
                  {
                    "type": "object",
                    "required": ["type", "features"],
                    "properties": {
                      "type": {"const": "FeatureCollection"},
                      "features": {"type": "array", "items": {"$ref": "#/components/schemas/ZoneImportFeature"}}
                    },
                    "additionalProperties": true
                  },
                  {"$ref": "#/components/schemas/ZoneImportFeature"}
                ]
              },
              "ImportedZones": {
                "type": "object",
                "required": ["imported", "sequence"],
                "properties": {
                  "imported": {"type": "array", "items": {"type": "string"}},
                  "sequence": {"$ref": "#/components/schemas/Sequence"}
                },
                "additionalProperties": true
              },
              "Domain": {"type": "string", "enum": ["ground", "air"]},
              "UnitInput": {
                "type": "object",
                "required": ["id", "domain"],
                "properties": {
                  "id": {"$ref": "#/components/schemas/Identifier"},
                  "party": {
                    "allOf": [{"$ref": "#/components/schemas/PartyID"}],
                    "description": "The caller; another party is refused (403)."
                  },
                  "domain": {"$ref": "#/components/schemas/Domain"},
                  "name": {"type": "string", "description": "The id when absent."}
                },
                "additionalProperties": true
              },
              "Unit": {
                "type": "object",
                "description": "A unit. Another party's unit is shown in full only near a zone of an agreement both signed (the read is recorded in the ledger); otherwise as a reference.",
                "required": ["id", "party", "domain"],
                "properties": {
                  "id": {"type": "string"},
                  "party": {"$ref": "#/components/schemas/PartyID"},
                  "domain": {"$ref": "#/components/schemas/Domain"},
                  "name": {"type": "string", "description": "Absent from a reference."},
                  "reference": {
                    "type": "boolean",
                    "description": "True when the caller may not locate this unit of another party: only id, party and domain are shown."
                  },
                  "lastReport": {"$ref": "#/components/schemas/PositionReport"},
                  "stale": {"type": "boolean", "description": "The last report is older than the stale-track limit."}
                },
                "additionalProperties": true
              },
              "Situation": {
                "type": "object",
                "required": ["viewer", "time", "since", "live", "zones", "units", "alerts", "operations", "agreements"],
                "properties": {
                  "viewer": {"type": "string", "description": "The caller: a party, or `@operator`."},
                  "time": {"$ref": "#/components/schemas/Time"},
                  "since": {
                    "oneOf": [{"$ref": "#/components/schemas/Time"}, {"type": "null"}],
                    "description": "The time of the ledger's first entry: the earliest instant to replay."
                  },
                  "live": {"type": "boolean", "description": "False for a past instant."},
                  "sequence": {
                    "type": ["integer", "null"],
                    "description": "Live: the last ledger sequence the answer includes (a stream opened with `after` this misses nothing)."
                  },
                  "zones": {"type": "array", "items": {"$ref": "#/components/schemas/Zone"}},
                  "units": {
                    "type": "array",
                    "items": {
                      "allOf": [
                        {"$ref": "#/components/schemas/Unit"},
                        {
                          "type": "object",
                          "properties": {
                            "track": {
                              "type": "array",
                              "description": "The unit's reports of the last 30 minutes (at most 60), oldest first: latitude, longitude, time.",
                              "items": {"type": "array", "minItems": 3, "maxItems": 3}
                            }
                          }
                        }
                      ]
                    }
                  },
                  "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}},
                  "operations": {"type": "array", "items": {"$ref": "#/components/schemas/Operation"}},
                  "agreements": {"type": "array", "items": {"$ref": "#/components/schemas/Agreement"}}
                },
                "additionalProperties": true
              },
              "UnitList": {
                "type": "object",
                "required": ["units"],
                "properties": {"units": {"type": "array", "items": {"$ref": "#/components/schemas/Unit"}}},
                "additionalProperties": true
              },
              "ReportInput": {
                "type": "object",
                "description": "A position report of one of the caller's units; at most 30 s ahead of the server's clock, not older than the unit's last report.",
                "required": ["unit", "time", "position"],
                "properties": {
                  "unit": {"type": "string"},
                  "time": {"$ref": "#/components/schemas/Time"},
                  "position": {"$ref": "#/components/schemas/Position"},
                  "altitudeMeters": {"type": "number", "description": "0 when absent."},
                  "speedMetersPerSecond": {"type": "number", "minimum": 0, "maximum": 1500},
                  "courseDegrees": {"type": "number", "minimum": -360, "maximum": 360},
                  "uncertaintyMeters": {"type": "number", "minimum": 0}
                },
                "additionalProperties": true
              },
              "PositionReport": {
                "type": "object",
                "required": [
                  "unit",
                  "time",
                  "position",
                  "altitudeMeters",
                  "speedMetersPerSecond",
                  "courseDegrees",
                  "uncertaintyMeters"
                ],
                "properties": {
                  "unit": {"type": "string"},
                  "time": {"$ref": "#/components/schemas/Time"},
                  "position": {"$ref": "#/components/schemas/Position"},
                  "altitudeMeters": {"type": "number"},
                  "speedMetersPerSecond": {"type": "number"},
                  "courseDegrees": {"type": "number"},
                  "uncertaintyMeters": {"type": "number"}
                },
                "additionalProperties": true
              },
              "ReportBatch": {
                "description": "Up to 20,000 reports: a JSON array, or an object with `reports`.",
                "oneOf": [
                  {"type": "array", "items": {"$ref": "#/components/schemas/ReportInput"}, "minItems": 1},
                  {
                    "type": "object",
                    "required": ["reports"],
                    "properties": {
                      "reports": {"type": "array", "items": {"$ref": "#/components/schemas/ReportInput"}, "minItems": 1}
                    },
                    "additionalProperties": true
                  }
                ]
              },
              "Rejection": {
                "type": "object",
                "required": ["index", "field", "reason"],
                "properties": {
                  "index": {"type": "integer", "minimum": 0, "description": "The report's position in the batch."},
                  "field": {"type": "string"},
                  "reason": {"type": "string"}
                },
                "additionalProperties": true
              },
              "ReportResult": {
                "type": "object",
                "required": ["accepted", "rejected", "alertsRaised", "sequence"],
                "properties": {
                  "accepted": {"type": "integer", "minimum": 1},
                  "rejected": {"type": "array", "items": {"$ref": "#/components/schemas/Rejection"}},
                  "alertsRaised": {"type": "integer", "minimum": 0},
                  "sequence": {"$ref": "#/components/schemas/Sequence"}
                },
                "additionalProperties": true
              },
              "OperationState": {"type": "string", "enum": ["planned", "active", "completed", "cancelled"]},
              "OperationInput": {
                "type": "object",
                "required": ["id", "volumes"],
                "properties": {
                  "id": {"$ref": "#/components/schemas/Identifier"},
                  "party": {
                    "allOf": [{"$ref": "#/components/schemas/PartyID"}],
                    "description": "The caller; another party is refused (403)."
                  },
                  "name": {"type": "string", "description": "The id when absent."},
                  "volumes": {"type": "array", "items": {"$ref": "#/components/schemas/VolumeInput"}, "minItems": 1},
                  "units": {"type": "array", "items": {"type": "string"}, "description": "The caller's units taking part."},
                  "state": {
                    "allOf": [{"$ref": "#/components/schemas/OperationState"}],
                    "description": "`planned` when absent."
                  },
                  "priority": {"type": "integer", "description": "0 when absent."}
                },
                "additionalProperties": true
              },
              "Operation": {
                "type": "object",
                "required": ["id", "party", "state", "priority", "volumes"],
                "properties": {
                  "id": {"type": "string"},
                  "party": {"$ref": "#/components/schemas/PartyID"},
                  "name": {"type": "string", "description": "Absent from a reference."},
                  "state": {"$ref": "#/components/schemas/OperationState"},
                  "priority": {"type": "integer"},
                  "units": {"type": "array", "items": {"type": "string"}, "description": "Absent from a reference."},
                  "volumes": {"type": "array", "items": {"$ref": "#/components/schemas/Volume"}},
                  "noticeGivenAt": {"$ref": "#/components/schemas/Time"},
                  "reference": {
                    "type": "boolean",
                    "description": "True for another party's operation: name and units are left out."
                  }
                },
                "additionalProperties": true
              },
              "OperationList": {
                "type": "object",
                "required": ["operations"],
                "properties": {"operations": {"type": "array", "items": {"$ref": "#/components/schemas/Operation"}}},
                "additionalProperties": true
              },
              "Conflict": {
                "type": "object",
                "required": ["party", "reason"],
                "properties": {
                  "party": {"$ref": "#/components/schemas/PartyID"},
                  "reason": {"type": "string"},
                  "zone": {"type": "string", "description": "The zone that excludes the operation's party."},
                  "operation": {"type": "string", "description": "Another party's planned or active operation it overlaps."}
                },
                "additionalProperties": true
              },
              "Check": {
                "type": "object",
                "required": ["conflicts", "clear"],
                "properties": {
                  "conflicts": {"type": "array", "items": {"$ref": "#/components/schemas/Conflict"}},
                  "clear": {"type": "boolean"}
                },
                "additionalProperties": true
              },
              "PlannedOperation": {
                "allOf": [
                  {"$ref": "#/components/schemas/Operation"},
                  {"$ref": "#/components/schemas/Written"},
                  {
                    "type": "object",
                    "required": ["conflicts"],
                    "properties": {
                      "conflicts": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Conflict"},
                        "description": "Zones it enters that exclude its party."
                      }
                    },
                    "additionalProperties": true
                  }
                ]
              },
              "StateInput": {
                "type": "object",
                "required": ["state"],
                "properties": {"state": {"$ref": "#/components/schemas/OperationState"}},
                "additionalProperties": true
              },
              "AlertKind": {
                "type": "string",
                "enum": [
                  "incursion",
                  "approach",
                  "dwell",
                  "build-up",
                  "separation",
                  "stale-track",
                  "conformance",
                  "late-notice",
                  "agreement-withdrawn",
                  "zone-revalidation"
                ]
              },
              "AlertState": {"type": "string", "enum": ["raised", "acknowledged", "resolved"]},
              "Routing": {
                "type": "object",
                "required": ["party", "confirmed"],
                "properties": {
                  "party": {"$ref": "#/components/schemas/PartyID"},
                  "confirmed": {"type": "boolean"},
                  "answersFor": {
                    "allOf": [{"$ref": "#/components/schemas/PartyID"}],
                    "description": "The party whose unit it is, when the addressee answers for it."
                  },
                  "acknowledgedAt": {"$ref": "#/components/schemas/Time"},
                  "escalatedAt": {"$ref": "#/components/schemas/Time"}
                },
                "additionalProperties": true
              },
              "Alert": {
                "type": "object",
                "required": [
                  "id",
                  "kind",
                  "state",
                  "units",
                  "unit",
                  "zone",
                  "addressees",
                  "routing",
                  "unconfirmedRouting",
                  "raisedAt"
                ],
                "properties": {
                  "id": {"type": "string"},
                  "kind": {"$ref": "#/components/schemas/AlertKind"},
                  "state": {"$ref": "#/components/schemas/AlertState"},
                  "units": {"type": "array", "items": {"type": "string"}},
                  "unit": {"type": ["string", "null"], "description": "The first of `units`."},
                  "zone": {"type": ["string", "null"]},
                  "addressees": {"type": "array", "items": {"$ref": "#/components/schemas/PartyID"}},
                  "routing": {"type": "array", "items": {"$ref": "#/components/schemas/Routing"}},
                  "unconfirmedRouting": {"type": "boolean"},
                  "raisedAt": {"$ref": "#/components/schemas/Time"},
                  "party": {"$ref": "#/components/schemas/PartyID"},
                  "operation": {"type": "string"},
                  "agreement": {"type": "string"},
                  "secondsAhead": {"type": "number"},
                  "distanceMeters": {"type": "number"},
                  "resolution": {"type": "string"},
                  "updatedAt": {"allOf": [{"$ref": "#/components/schemas/Time"}], "description": "When secondsAhead and distanceMeters were last computed."},
                  "resolvedAt": {"$ref": "#/components/schemas/Time"}
                },
                "additionalProperties": true
              },
              "AlertList": {
                "type": "object",
                "required": ["alerts"],
                "properties": {"alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}},
                "additionalProperties": true
              },
              "ResolveInput": {
                "type": "object",
                "required": ["reason"],
                "properties": {"reason": {"type": "string"}},
                "additionalProperties": true
              },
              "MessageKind": {"type": "string", "enum": ["notice", "warning", "request", "reply"]},
              "MessageReference": {
                "type": "object",
                "description": "Names one of zone, alert, operation or message.",
                "properties": {
                  "zone": {"type": "string"},
                  "alert": {"type": "string"},
                  "operation": {"type": "string"},
                  "message": {"type": "string"}
                },
                "additionalProperties": true,
                "minProperties": 1
              },
              "MessageInput": {
                "type": "object",
                "required": ["id", "kind", "to", "text"],
                "properties": {
                  "id": {"$ref": "#/components/schemas/Identifier"},
                  "kind": {"$ref": "#/components/schemas/MessageKind"},
                  "from": {
                    "allOf": [{"$ref": "#/components/schemas/PartyID"}],
                    "description": "The caller; another party is refused (403)."
                  },
                  "to": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/PartyID"},
                    "minItems": 1,
                    "uniqueItems": true,
                    "description": "Other parties, each once."
                  },
                  "text": {"type": "string", "description": "At most 16,384 bytes of UTF-8."},
                  "references": {"type": "array", "items": {"$ref": "#/components/schemas/MessageReference"}},
                  "requiresAcknowledgement": {"type": "boolean", "description": "True when absent, except for a `reply`."}
                },
                "additionalProperties": true
              },
              "Receipt": {
                "type": "object",
                "properties": {
                  "deliveredAt": {"$ref": "#/components/schemas/Time"},
                  "acknowledgedAt": {"$ref": "#/components/schemas/Time"},
                  "escalatedAt": {"$ref": "#/components/schemas/Time"}
                },
                "additionalProperties": true
              },
              "Message": {
                "type": "object",
                "required": ["id", "kind", "from", "to", "text", "requiresAcknowledgement", "sentAt", "receipts"],
                "properties": {
                  "id": {"type": "string"},
                  "kind": {"$ref": "#/components/schemas/MessageKind"},
                  "from": {"$ref": "#/components/schemas/PartyID"},
                  "to": {"type": "array", "items": {"$ref": "#/components/schemas/PartyID"}},
                  "text": {"type": "string"},
                  "requiresAcknowledgement": {"type": "boolean"},
                  "sentAt": {"$ref": "#/components/schemas/Time"},
                  "deadline": {"allOf": [{"$ref": "#/components/schemas/Time"}], "description": "When an acknowledgement is due."},
                  "references": {"type": "array", "items": {"$ref": "#/components/schemas/MessageReference"}},
                  "receipts": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/components/schemas/Receipt"},
                    "description": "By recipient."
                  }
                },
                "additionalProperties": true
              },
              "MessageList": {
                "type": "object",
                "required": ["messages"],
                "properties": {"messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}},
                "additionalProperties": true
              },
              "IncidentInput": {
                "type": "object",
                "required": ["id", "summary"],
                "properties": {
                  "id": {"$ref": "#/components/schemas/Identifier"},
                  "summary": {"type": "string"},
                  "units": {"type": "array", "items": {"type": "string"}},
                  "zone": {"type": "string"},
                  "position": {"$ref": "#/components/schemas/Position"}
                },
                "additionalProperties": true
              },
              "Incident": {
                "type": "object",
                "required": ["id", "reportedBy", "summary", "units", "recordedAt"],
                "properties": {
                  "id": {"type": "string"},
                  "reportedBy": {"$ref": "#/components/schemas/PartyID"},
                  "summary": {"type": "string"},
                  "units": {"type": "array", "items": {"type": "string"}},
                  "recordedAt": {"$ref": "#/components/schemas/Time"},
                  "zone": {"type": "string"},
                  "position": {"$ref": "#/components/schemas/Position"}
                },
                "additionalProperties": true
              },
              "IncidentList": {
                "type": "object",
                "required": ["incidents"],
                "properties": {"incidents": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}},
                "additionalProperties": true
              },
              "WebhookInput": {
                "type": "object",
                "required": ["url"],
                "properties": {
                  "url": {"type": "string", "format": "uri", "description": "An http or https URL with a host."},
                  "secret": {
                    "type": "string",
                    "minLength": 16,
                    "description": "The HMAC-SHA256 key deliveries are signed with (at least 16 bytes); generated when absent."
                  }
                },
                "additionalProperties": true
              },
              "Webhook": {
                "type": "object",
                "required": ["id", "url", "deliveredThrough", "failures"],
                "properties": {
                  "id": {"type": "string"},
                  "url": {"type": "string"},
                  "deliveredThrough": {
                    "allOf": [{"$ref": "#/components/schemas/Sequence"}],
                    "description": "The last ledger sequence delivered."
                  },
                  "failures": {"type": "integer", "minimum": 0, "description": "Failed attempts since the last success."},
                  "totalFailures": {"type": "integer", "minimum": 0},
                  "lastError": {"type": "string"},
                  "lastAttempt": {"$ref": "#/components/schemas/Time"}
                },
                "additionalProperties": true
              },
              "NewWebhook": {
                "allOf": [
                  {"$ref": "#/components/schemas/Webhook"},
                  {"$ref": "#/components/schemas/Written"},
                  {
                    "type": "object",
                    "required": ["secret"],
                    "properties": {"secret": {"type": "string", "description": "The signing key, shown once."}},
                    "additionalProperties": true
                  }
                ]
              },
              "WebhookList": {
                "type": "object",
                "required": ["webhooks"],
                "properties": {"webhooks": {"type": "array", "items": {"$ref": "#/components/schemas/Webhook"}}},
                "additionalProperties": true
              },
              "Removed": {
                "type": "object",
                "required": ["removed", "sequence"],
                "properties": {"removed": {"type": "string"}, "sequence": {"$ref": "#/components/schemas/Sequence"}},
                "additionalProperties": true
              }
            }
          }
        }
        """#
}
