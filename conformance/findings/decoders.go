package findings

// decoders_gen.go maps every operationId to the generated client's Parse<Op>Response, so that a
// decode-failure finding says whether the SDK can read an answer. It is written by
// conformance/internal/decodergen, which gen/cmd/generate (`make generate`) runs after gen/cloudapi
// is regenerated: it reads that package's output, so it has no go:generate line of its own.
