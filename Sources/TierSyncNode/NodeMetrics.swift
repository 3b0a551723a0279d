import Metrics
import Prometheus

/// The process's metrics backend: swift-metrics bootstrapped once with a Prometheus
/// registry, which `GET /metrics` renders.
public enum NodeMetrics {
    /// The registry every swift-metrics counter, gauge and timer of this process writes
    /// to. The first use bootstraps swift-metrics; later uses return the same registry.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
