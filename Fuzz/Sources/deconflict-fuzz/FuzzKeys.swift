import Foundation
import JWTKit

/// The fixed keys of the token target, made for it alone (they sign nothing anywhere
/// else): the verifiers trust the public halves; the private halves sign the seed
/// tokens (`FUZZ_WRITE_TOKENS=<folder>`).
enum FuzzKeys {
    static let es256Public = """
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEU/E1Fpd/KZirdaU7F/2VDwaSxJtX
0v0Zd0s6N75vUA2UcO0N4bQwSUkNj1QAxdKbdPmtLI2uxQnVOIu+xZbDmA==
-----END PUBLIC KEY-----
"""

    static let es256Private = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgd3yV6Oc1LBlcKrPv
STDN/HjY7ctRDt+q6uXC77ChN3qhRANCAART8TUWl38pmKt1pTsX/ZUPBpLEm1fS
/Rl3Szo3vm9QDZRw7Q3htDBJSQ2PVADF0pt0+a0sja7FCdU4i77FlsOY
-----END PRIVATE KEY-----
"""

    static let rsaPublic = """
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmBaFPFoGrUMgx+Ybft/8
JSyoiY3kAE3nvxtBhneXZQbz6vxY+vX7CgQV+BYDrf9xV28JPeW0wNOxiG8b85J+
j/O4mnbN99HPnwfy/aZNqoImWJCPTXU6OlAA1H2dyS04cT7M/TNL8InwsqsB2Bon
NoOuZhKtJdWrUUsYT4dajHRzdFLTeCk9deQBjc6chS+op9TjOFpMF1L92Ui9FfAK
9vOASGDV8FqqrOYObztzr+aop3yl0u7CWGZxxNp//UE1xhKRRO/A3slOigyL84Br
n7VHdqaa2f4IAkYggnvvqjrofEBg/rD9makZVGnpR7VhBl1p5dvGr2T9YPgbJjeB
9wIDAQAB
-----END PUBLIC KEY-----
"""

    static let rsaPrivate = """
-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCYFoU8WgatQyDH
5ht+3/wlLKiJjeQATee/G0GGd5dlBvPq/Fj69fsKBBX4FgOt/3FXbwk95bTA07GI
bxvzkn6P87iads330c+fB/L9pk2qgiZYkI9NdTo6UADUfZ3JLThxPsz9M0vwifCy
qwHYGic2g65mEq0l1atRSxhPh1qMdHN0UtN4KT115AGNzpyFL6in1OM4WkwXUv3Z
SL0V8Ar284BIYNXwWqqs5g5vO3Ov5qinfKXS7sJYZnHE2n/9QTXGEpFE78DeyU6K
DIvzgGuftUd2pprZ/ggCRiCCe++qOuh8QGD+sP2ZqRlUaelHtWEGXWnl28avZP1g
+BsmN4H3AgMBAAECggEACvqdNaUeFEXjSOrwkzEiJ6DYrc1jZy44i5AxI77gW/er
hgwfdEZrj+aJm3YjX90v1mr6lNBPQxhFGZ9DukqZ/lROwD/RUJGB1m4heXQW6Tcq
A3y0C5hp0qnR1YUX7dzo1Sv+akzYr42VpaA4qtwAdqv82/t/KlsJWf38zEjuHXNy
GVRI2JHhW/wZnT8vGDJZlpZuPFo4Y25yzYx1P94mRUj27DzHQ9LcgRfFSVR+AO4m
1lBmMrOziFDzu8XyY461h/eEFeY1Jajt7ZjVRUZqNnUf8OALy6HCipGSEKB6+Sfc
a93Jt9dkgX5/iiOFtoKBXpfW4Z+mvIjgM/7oJU+/4QKBgQDOqVHgjAbZTBJU4Atp
ylG+OZ62f5eh72ZrGcE/7mS46NdBbEew9dDL7NrksL8sv3UnhQOfY4vo7FOrga68
92vng7f+d9QcnLe0pPMAz0vxqOYuO6b6pNgjUSJk96VFGin3JC+HNB0P9cW9vhss
vdLkoPaL6I1cNDlv47cu41zH8QKBgQC8ZcuIHWPsegqDUa0aMm2zZx89uXBuAM+A
urMBVJjlGxWUIMgPB/OIEQh9uBzAuHvoB2eE/uT5WMiV2QWopLLHKT5g8T0GldQn
NHCPvCqMNNsyqagXfG++55HCrKDmwQu3g49UwIHWG6LNIc2G6aZSIUO5KzfHKdys
OztlWaQQZwKBgQC53KQLnEPomDcAaIM7QL9lorKwFW6NMB7fgclAsymY96foafbM
GzgOv1VaSe+V0hcOVN2eMsw4zpqta7N4tdkw3VDUJnb4yKWbbKIz/zug+rMRr4qM
b0cH9EdHoUXdMRu+7qdkJKVinjqaXGhaQ9pwzqcNyzefTkS98YHlRIxEMQKBgQCT
TGOdwJznv2OI2MsmuFbc9buPXvVwjGGwnEhouePw/QQaFKdWWTknIWoqIVEZvSPj
fiaJ7WDJM4lg35V1DZBZ9v02fmbgRzTgkjePqeb6SDk5mzw5YKld8WAdfSswP68R
hGMEOJ9K78CR8ePnn7bSb/+rPwcVSL2oS4dc7oE/8QKBgEthT7ypEvr187oSWtV1
elsTXAd/c4XUbXiABOOe9eJHf4RocIkAh3mvtmlWMd+TETM/8FaBejJrQXySlBHK
62YovC5sR3Wju2QSH3ZbzCrAvu2yO0vsIM1dYsknmd5Hp5dGJgu/z9naeE/WOxb0
ZY8kNF8YcuX/pfco+5Y8V29q
-----END PRIVATE KEY-----
"""

    struct Claims: JWTPayload {
        var sub: SubjectClaim?
        var aud: AudienceClaim?
        var exp: ExpirationClaim?
        var nbf: NotBeforeClaim?
        var scope: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// Tokens that pass and tokens refused for each reason, signed with both keys.
    static func writeSeeds(to directory: String) {
        let now = FuzzTargets.now
        let cases: [(String, Claims)] = [
            ("valid", Claims(sub: .init(value: "coalition"), aud: .init(value: ["deconflict"]), exp: .init(value: now + 600))),
            ("dss", Claims(
                sub: .init(value: "uss1"), aud: .init(value: ["localhost"]), exp: .init(value: now + 600),
                scope: "utm.strategic_coordination utm.constraint_management")),
            ("expired", Claims(sub: .init(value: "coalition"), aud: .init(value: ["deconflict"]), exp: .init(value: now - 600))),
            ("not-before", Claims(
                sub: .init(value: "coalition"), aud: .init(value: ["deconflict"]), exp: .init(value: now + 600), nbf: .init(value: now + 300))),
            ("no-exp", Claims(sub: .init(value: "coalition"), aud: .init(value: ["deconflict"]))),
            ("audience", Claims(sub: .init(value: "coalition"), aud: .init(value: ["elsewhere"]), exp: .init(value: now + 600))),
        ]
        FuzzTargets.wait {
            let es = JWTKeyCollection()
            await es.add(ecdsa: try! ES256PrivateKey(pem: es256Private))
            let rsa = JWTKeyCollection()
            await rsa.add(rsa: try! Insecure.RSA.PrivateKey(pem: rsaPrivate), digestAlgorithm: .sha256)
            for (name, claims) in cases {
                for (algorithm, keys) in [("es256", es), ("rs256", rsa)] {
                    let token = try! await keys.sign(claims)
                    try! Data(token.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name)-\(algorithm)"))
                }
            }
        }
    }
}
