package cloud

// Hooks for the external benchmarks (package cloud_test), which need cloudtest and so cannot
// live in package cloud: cloudtest must stay out of the SDK's dependencies.
var (
	WithFixedRateLimit     = withFixedRateLimit
	WithEconomicalSchedule = withEconomicalSchedule
)
