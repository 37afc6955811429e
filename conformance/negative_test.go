package conformance

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// Every operation with a body gets an invalid one that the document refuses (and no request
// deviation accepts), and every operation with an id or a body has a negative spec.
func TestInvalidBodiesAreInvalid(t *testing.T) {
	s := NewSession(context.Background(), Config{Mode: Replay, RunPrefix: NamePrefix + "test01"}, nil, &Fixtures{OrgID: unknownUUID, ServiceID: unknownUUID})
	n := 0
	for _, o := range operations {
		if (len(o.PathParams) > 0 || takesBody(o)) && !HasNegative(o) {
			t.Errorf("%s has no negative spec", o.ID)
		}
		if !takesBody(o) {
			continue
		}
		n++
		neg := &negative{s: s, o: o}
		body, v, err := InvalidBody(o, neg.placeholderBody(s.params()))
		if err != nil {
			t.Errorf("%s: %v", o.ID, err)
			continue
		}
		raw, _ := json.Marshal(body)
		verdict, err := specdoc.CheckRequestBody(o.ID, raw)
		if err != nil || verdict.OK() || v.Path == "" || v.Rule == "" {
			t.Errorf("%s: %s breaking %s is not refused (%v, %v)", o.ID, v.Path, v.Rule, verdict.Problems, err)
		}
	}
	if n == 0 {
		t.Fatal("no operation with a body")
	}
}
