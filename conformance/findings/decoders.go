package findings

// decoders_gen.go maps every operationId to the generated client's Parse<Op>Response, so that a
// decode-failure finding says whether the SDK can read an answer.
//go:generate go run ../internal/decodergen -gen ../../gen/cloudapi/cloudapi.gen.go -o decoders_gen.go
