import DeconflictGeometry
import Foundation

func format(_ position: LatLng) -> String {
    String(format: "%.4f°%@ %.4f°%@",
           abs(position.latitude), position.latitude >= 0 ? "N" : "S",
           abs(position.longitude), position.longitude >= 0 ? "E" : "W")
}

func kilometres(_ meters: Double) -> String {
    String(format: "%.2f km", meters / 1_000)
}

func minutes(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    return String(format: "%d min %02d s", whole / 60, whole % 60)
}
