package drift

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chcloud-dev/chcloud/spec"
)

// MovedID is the changelog id of an operation that moved to another path. It is chcloud's rule,
// not oasdiff's, which sees a moved operation as a removal and an addition.
const MovedID = "api-path-moved"

// OperationMove is an operation whose path changed while its method and operationId stayed, as
// when `/postgres/{postgresId}/ca-certificates` became `/caCertificates` in April 2026.
type OperationMove struct {
	Method string `json:"method"`
	From   string `json:"from"`
	To     string `json:"to"`
	ID     string `json:"operationId"`
}

func (m OperationMove) String() string {
	return fmt.Sprintf("%s %s -> %s (%s)", m.Method, m.From, m.To, m.ID)
}

// movable are the methods an operation can be moved under: kin-openapi keeps others in a map
// that a shallow copy of a path item would share.
var movable = []string{
	http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete,
	http.MethodOptions, http.MethodHead, http.MethodPatch, http.MethodTrace,
}

// findMoves pairs an operation that left a path with one that arrived at another under the same
// method and operationId. Only one-to-one pairs count: were two operations to share a method
// and operationId, which one moved where would be a guess.
func findMoves(base, revision []spec.Operation) []OperationMove {
	key := func(o spec.Operation) string { return o.Method + " " + o.Path }
	byID := func(o spec.Operation) string { return o.Method + " " + o.ID }
	before := make(map[string]bool, len(base))
	for _, o := range base {
		before[key(o)] = true
	}
	after := make(map[string]bool, len(revision))
	for _, o := range revision {
		after[key(o)] = true
	}
	removed := map[string][]spec.Operation{}
	for _, o := range base {
		if !after[key(o)] && o.ID != "" && slices.Contains(movable, o.Method) {
			removed[byID(o)] = append(removed[byID(o)], o)
		}
	}
	added := map[string][]spec.Operation{}
	for _, o := range revision {
		if !before[key(o)] && o.ID != "" && slices.Contains(movable, o.Method) {
			added[byID(o)] = append(added[byID(o)], o)
		}
	}
	var moves []OperationMove
	for id, gone := range removed {
		arrived := added[id]
		if len(gone) != 1 || len(arrived) != 1 {
			continue
		}
		moves = append(moves, OperationMove{Method: gone[0].Method, From: gone[0].Path, To: arrived[0].Path, ID: gone[0].ID})
	}
	slices.SortFunc(moves, func(a, b OperationMove) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.Method, b.Method))
	})
	return moves
}

// withMoves returns the base model with each moved operation already at its new path, so that
// oasdiff compares the operation with itself (and reports what changed in it) instead of
// reporting a removal and an addition. The model is not changed: the copy shares everything
// but the paths and the path items it rewrites.
func withMoves(model *openapi3.T, moves []OperationMove) *openapi3.T {
	if len(moves) == 0 || model.Paths == nil {
		return model
	}
	moved := *model
	moved.Paths = openapi3.NewPaths()
	moved.Paths.Extensions = model.Paths.Extensions
	for _, path := range model.Paths.Keys() {
		moved.Paths.Set(path, model.Paths.Value(path))
	}
	for _, m := range moves {
		from := moved.Paths.Value(m.From)
		if from == nil || from.GetOperation(m.Method) == nil {
			continue
		}
		op := from.GetOperation(m.Method)
		rest := *from
		rest.SetOperation(m.Method, nil)
		if len(rest.Operations()) == 0 {
			moved.Paths.Delete(m.From)
		} else {
			moved.Paths.Set(m.From, &rest)
		}
		var target openapi3.PathItem
		if to := moved.Paths.Value(m.To); to != nil {
			target = *to
		} else {
			// The path-level parameters and servers travel with the operation.
			target = openapi3.PathItem{Summary: from.Summary, Description: from.Description, Servers: from.Servers, Parameters: from.Parameters}
		}
		target.SetOperation(m.Method, op)
		moved.Paths.Set(m.To, &target)
	}
	return &moved
}

// moveChanges are the changelog entries of the moves: one each, at warning level. The new path
// breaks a client that calls the old one by hand, but code generated from the document follows
// the operationId and only needs regenerating.
func moveChanges(moves []OperationMove) []Change {
	changes := make([]Change, 0, len(moves))
	for _, m := range moves {
		changes = append(changes, Change{
			Level:       Warning,
			ID:          MovedID,
			Method:      m.Method,
			Path:        m.To,
			OperationID: m.ID,
			Text:        fmt.Sprintf("moved from `%s` to `%s` with the same method and operationId", m.From, m.To),
			Comment: "chcloud's rule, not oasdiff's: code generated from the document follows the operationId once regenerated; " +
				"a client that calls the old path by hand must change it",
		})
	}
	return changes
}
