package drift

import (
	"slices"
	"strings"
	"testing"

	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/checker/localizations"
)

// TestLocalizeIsOasdiffs holds localize to oasdiff's default localizer, message by message: the
// table in messages.gen.go must have every message the linked oasdiff has, with the same words.
// After an oasdiff upgrade it fails until `make generate` rewrites the table.
func TestLocalizeIsOasdiffs(t *testing.T) {
	theirs := checker.NewDefaultLocalizer()
	prefix := localizations.LangDefault + ".messages."
	var ids []string
	for key := range localizations.New(localizations.LangDefault, localizations.LangDefault).Localizations {
		if id, ok := strings.CutPrefix(key, prefix); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) < 100 {
		t.Fatalf("oasdiff has only %d English messages: has its localizations package changed?", len(ids))
	}
	if len(ids) != len(oasdiffMessages) {
		t.Errorf("oasdiff has %d messages, messages.gen.go %d: run make generate", len(ids), len(oasdiffMessages))
	}
	// Arguments of several kinds, more than any message takes: both sides format them alike
	// (fmt marks the extra ones the same way).
	args := []any{"/v1/organizations/{organizationId}", "serviceId", 3, []string{"a", "b"}, true}
	for _, id := range ids {
		if got, want := localize(id, args...), theirs(id, args...); got != want {
			t.Errorf("localize(%q) = %q, oasdiff says %q: run make generate", id, got, want)
		}
		if got, want := localize(id), theirs(id); got != want {
			t.Errorf("localize(%q) without arguments = %q, oasdiff says %q", id, got, want)
		}
	}
	if !slices.IsSortedFunc(oasdiffMessages[:], func(a, b oasdiffMessage) int { return strings.Compare(a.id, b.id) }) {
		t.Error("messages.gen.go is not sorted by ID, so localize's binary search misses messages")
	}
	if got, want := localize("no-such-message", 1), theirs("no-such-message", 1); got != want {
		t.Errorf("an unknown ID: localize gives %q, oasdiff %q", got, want)
	}
}
