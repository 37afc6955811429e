package cloudtest

import (
	"testing"
	"time"
)

// TestKeyUseUpdatesUsedAt: a request authenticated by a key sets that key's usedAt, and only
// that key's, to the fake's clock truncated to the minute (the document: "with one-minute
// precision"); a key never used has no usedAt; a refused request (disabled key) changes nothing.
func TestKeyUseUpdatesUsedAt(t *testing.T) {
	clock := NewManualClock(time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC))
	s := newTestServer(t, WithClock(clock))
	org := "/v1/organizations/" + s.OrganizationID
	used, usedDoc := newKeyClient(t, s, map[string]any{"name": "used", "roles": []string{"developer"}})
	_, idleDoc := newKeyClient(t, s, map[string]any{"name": "idle", "roles": []string{"developer"}})
	if _, ok := usedDoc["usedAt"]; ok {
		t.Errorf("a new key has usedAt %v", usedDoc["usedAt"])
	}
	usedAt := func(id any) any {
		t.Helper()
		for _, k := range mustResultList(t, s, "GET", org+"/keys") {
			if k["id"] == id {
				return k["usedAt"]
			}
		}
		t.Fatalf("key %v not listed", id)
		return nil
	}

	clock.Advance(100*24*time.Hour + 42*time.Second + 5*time.Minute)
	if code := used.do("GET", "/services", nil); code != 200 {
		t.Fatalf("GET with the key: %d %s", code, used.lastMessage)
	}
	if got, want := usedAt(usedDoc["id"]), "2026-12-10T08:05:00Z"; got != want {
		t.Errorf("usedAt %v, want %s (the fake's clock, to the minute)", got, want)
	}
	if got := usedAt(idleDoc["id"]); got != nil {
		t.Errorf("the idle key's usedAt %v, want none", got)
	}

	mustResult(t, s, 200, "PATCH", org+"/keys/"+usedDoc["id"].(string), map[string]any{"state": "disabled"})
	clock.Advance(time.Hour)
	if code := used.do("GET", "/services", nil); code != 401 {
		t.Fatalf("disabled key: %d", code)
	}
	if got, want := usedAt(usedDoc["id"]), "2026-12-10T08:05:00Z"; got != want {
		t.Errorf("after a refused request usedAt %v, want %s", got, want)
	}
}
