package conformance

import (
	"math/bits"
	"testing"

	"github.com/chcloud-dev/chcloud/cloudtest"
)

// Every known deviation is backed by a quirk of the fake that exists, or says why none can be.
func TestKnownDeviationsNameRealQuirks(t *testing.T) {
	names := map[string]bool{}
	for rest := uint32(cloudtest.AllQuirks); rest != 0; rest &= rest - 1 {
		names[cloudtest.Quirks(1<<bits.TrailingZeros32(rest)).String()] = true
	}
	devs, err := KnownDeviations()
	if err != nil {
		t.Fatal(err)
	}
	backed := 0
	for _, d := range devs.Entries() {
		if d.Quirk == "" {
			continue
		}
		backed++
		if !names[d.Quirk] {
			t.Errorf("%s %s %s: quirk %q is not a cloudtest quirk (have %v)", d.Operation, d.Kind, d.Path, d.Quirk, names)
		}
	}
	if backed == 0 {
		t.Fatal("no known deviation is backed by a quirk")
	}
}
