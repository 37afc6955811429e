package drift

import (
	"testing"

	"github.com/chcloud-dev/chcloud/spec"
)

// BenchmarkNormalizeNotation measures what Parse pays for reading a document into one notation
// (a JSON decode and encode of the ~1.2 MB vendored document).
func BenchmarkNormalizeNotation(b *testing.B) {
	raw := spec.Document()
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := normalizeNotation(raw); err != nil {
			b.Fatal(err)
		}
	}
}
