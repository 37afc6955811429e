package cloud_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// keyEnv is a fake server on a manual clock and an admin client of its own key.
type keyEnv struct {
	t     *testing.T
	srv   *cloudtest.Server
	clock *cloudtest.ManualClock
	tr    *http.Transport
	c     *cloud.Client // signs in with the server's key
	org   string
}

var keyEnvStart = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func newKeyEnv(t *testing.T, opts ...cloudtest.Option) *keyEnv {
	t.Helper()
	clock := cloudtest.NewManualClock(keyEnvStart)
	srv := cloudtest.NewServer(append(opts, cloudtest.WithClock(clock))...)
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections) // runs before srv.Close: no connection left for goleak
	e := &keyEnv{t: t, srv: srv, clock: clock, tr: tr, org: srv.OrganizationID}
	e.c = e.client(srv.KeyID, srv.KeySecret, tr)
	return e
}

// client signs in with id and secret over rt, as a program on the SDK would.
func (e *keyEnv) client(id, secret string, rt http.RoundTripper) *cloud.Client {
	e.t.Helper()
	c, err := cloud.New(cloud.WithCredentials(id, secret), cloud.WithBaseURL(e.srv.URL),
		cloud.WithHTTPClient(&http.Client{Transport: rt}), cloud.WithoutRateLimit())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// works makes one authenticated call with the credential and returns its error.
func (e *keyEnv) works(id, secret string) error {
	return cloud.Check(e.client(id, secret, e.tr).OrganizationGetListWithResponse(context.Background()))
}

// keys lists the fake's keys by name: their states.
func (e *keyEnv) keys() map[string]string {
	e.t.Helper()
	list, err := cloud.Result(e.c.OpenapiKeyGetListWithResponse(context.Background(), e.org))
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range list {
		out[*k.Name] = string(*k.State)
	}
	return out
}

// ownKey is the key the server starts with, the one e.c signs in with.
func (e *keyEnv) ownKey() cloudapi.APIKey {
	e.t.Helper()
	list, err := cloud.Result(e.c.OpenapiKeyGetListWithResponse(context.Background(), e.org))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, k := range list {
		if k.KeySuffix != nil && strings.HasSuffix(e.srv.KeyID, *k.KeySuffix) {
			return k
		}
	}
	e.t.Fatal("the server's own key is not listed")
	return cloudapi.APIKey{}
}

// createKey creates a key with a raw body (so that [] and omitted lists stay what they are).
func (e *keyEnv) createKey(body string) (key cloudapi.APIKey, id, secret string) {
	e.t.Helper()
	res, err := cloud.Result(e.c.OpenapiKeyCreateWithBodyWithResponse(context.Background(), e.org, "application/json", strings.NewReader(body)))
	if err != nil {
		e.t.Fatal(err)
	}
	return *res.Key, *res.KeyID, *res.KeySecret
}

// rotation rotates the server's own key (the usual case: the CLI's profile key) unless changed.
func (e *keyEnv) rotation() cloud.KeyRotation {
	return cloud.KeyRotation{OrganizationID: e.org, KeyID: *e.ownKey().ID, Now: e.clock.Now()}
}

func rotationError(t *testing.T, err error, step cloud.KeyRotationStep) *cloud.KeyRotationError {
	t.Helper()
	var re *cloud.KeyRotationError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want *cloud.KeyRotationError", err, err)
	}
	if re.Step != step || !re.OldKeyEnabled {
		t.Errorf("step %s, old key enabled %v; want step %s with the old key enabled", re.Step, re.OldKeyEnabled, step)
	}
	return re
}

func wantKeys(t *testing.T, e *keyEnv, want map[string]string) {
	t.Helper()
	if got := e.keys(); !maps.Equal(got, want) {
		t.Errorf("keys on the server %v, want %v", got, want)
	}
}

const rotatedOwn = " (rotated 2026-12-04)"

// refuseKeyCreate fails the key create before a byte is sent, as a refused connection does.
type refuseKeyCreate struct{ next http.RoundTripper }

func (r refuseKeyCreate) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/keys") {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return r.next.RoundTrip(req)
}

// TestRotateKeyCreateNotSent: the create never reaches the server: nothing changed, nothing to
// clean up, and the error says so.
func TestRotateKeyCreateNotSent(t *testing.T) {
	e := newKeyEnv(t)
	name := *e.ownKey().Name
	c := e.client(e.srv.KeyID, e.srv.KeySecret, refuseKeyCreate{e.tr})
	_, err := c.RotateKey(context.Background(), e.rotation())
	re := rotationError(t, err, cloud.KeyRotationCreate)
	if !cloud.IsNotSent(err) || re.NewKeyCreated || re.NewKeyDeleted || re.NewKey != nil || re.NewKeySecret != "" {
		t.Errorf("error %+v; want not sent, no new key", re)
	}
	if !strings.Contains(err.Error(), "no new key was created") || !strings.Contains(err.Error(), "old key is still enabled") {
		t.Errorf("message: %v", err)
	}
	wantKeys(t, e, map[string]string{name: "enabled"})
	if err := e.works(e.srv.KeyID, e.srv.KeySecret); err != nil {
		t.Errorf("old key: %v", err)
	}
}

// TestRotateKeyCreateOutcomeUnknown: the server creates the key and the answer is lost: the key
// made (whose secret is gone) is found and deleted; when deleting it fails too, it is reported.
func TestRotateKeyCreateOutcomeUnknown(t *testing.T) {
	e := newKeyEnv(t, cloudtest.WithFault("openapiKeyCreate", cloudtest.Fault{Drop: true, Times: 1}))
	name := *e.ownKey().Name
	_, err := e.c.RotateKey(context.Background(), e.rotation())
	re := rotationError(t, err, cloud.KeyRotationCreate)
	if !cloud.IsOutcomeUnknown(err) || !re.NewKeyCreated || !re.NewKeyDeleted || re.NewKeySecret != "" {
		t.Errorf("error %+v; want outcome unknown, new key found and deleted", re)
	}
	if !strings.Contains(err.Error(), "the new key was deleted again") {
		t.Errorf("message: %v", err)
	}
	wantKeys(t, e, map[string]string{name: "enabled"})
	if err := e.works(e.srv.KeyID, e.srv.KeySecret); err != nil {
		t.Errorf("old key: %v", err)
	}

	t.Run("and the delete fails", func(t *testing.T) {
		e := newKeyEnv(t, cloudtest.WithFault("openapiKeyCreate", cloudtest.Fault{Drop: true, Times: 1}),
			cloudtest.WithFault("openapiKeyDelete", cloudtest.Fault{Status: 409}))
		name := *e.ownKey().Name
		_, err := e.c.RotateKey(context.Background(), e.rotation())
		re := rotationError(t, err, cloud.KeyRotationCreate)
		if !re.NewKeyCreated || re.NewKeyDeleted || re.NewKey == nil || re.NewKey.ID == nil || re.NewKeySecret != "" || !cloud.IsConflict(re.CleanupErr) {
			t.Fatalf("error %+v; want the new key reported without secret", re)
		}
		if !strings.Contains(err.Error(), *re.NewKey.ID+" exists but its secret was lost: delete it") {
			t.Errorf("message: %v", err)
		}
		wantKeys(t, e, map[string]string{name: "enabled", name + rotatedOwn: "enabled"})
		if err := e.works(e.srv.KeyID, e.srv.KeySecret); err != nil {
			t.Errorf("old key: %v", err)
		}
	})
}

// TestRotateKeyLostCreateSparesTheOldKey: the new key is given the old key's name and the
// create's answer is lost: of the two keys of that name created in the same minute, the old one
// is never taken for the new one.
func TestRotateKeyLostCreateSparesTheOldKey(t *testing.T) {
	e := newKeyEnv(t)
	old, id, secret := e.createKey(`{"name":"ci","roles":["developer"]}`)
	e.srv.SetFault("openapiKeyCreate", cloudtest.Fault{Drop: true, Times: 1})
	_, err := e.c.RotateKey(context.Background(), cloud.KeyRotation{OrganizationID: e.org, KeyID: *old.ID, Name: "ci", Now: e.clock.Now()})
	re := rotationError(t, err, cloud.KeyRotationCreate)
	if !re.NewKeyDeleted {
		t.Errorf("error %+v; want the new key deleted", re)
	}
	list, err := cloud.Result(e.c.OpenapiKeyGetListWithResponse(context.Background(), e.org))
	if err != nil {
		t.Fatal(err)
	}
	var ci []string
	for _, k := range list {
		if *k.Name == "ci" {
			ci = append(ci, *k.ID)
		}
	}
	if !slices.Equal(ci, []string{*old.ID}) {
		t.Errorf("keys named ci: %v, want only the old one %s", ci, *old.ID)
	}
	if err := e.works(id, secret); err != nil {
		t.Errorf("old key: %v", err)
	}
}

// TestRotateKeyVerifyFails: the new key is refused on its first call: it is deleted with the
// old credential, which keeps working; if that delete fails, the new credential is reported.
func TestRotateKeyVerifyFails(t *testing.T) {
	e := newKeyEnv(t, cloudtest.WithFault("organizationGetList", cloudtest.Fault{Status: 401, Times: 1}))
	name := *e.ownKey().Name
	saved := false
	r := e.rotation()
	r.SaveCredential = func(context.Context, string, string) error { saved = true; return nil }
	_, err := e.c.RotateKey(context.Background(), r)
	re := rotationError(t, err, cloud.KeyRotationVerify)
	if !cloud.IsUnauthorized(err) || !re.NewKeyCreated || !re.NewKeyDeleted || re.NewKeyID != "" || re.NewKeySecret != "" || saved {
		t.Errorf("error %+v, saved %v; want the new key deleted and nothing saved", re, saved)
	}
	wantKeys(t, e, map[string]string{name: "enabled"})
	if err := e.works(e.srv.KeyID, e.srv.KeySecret); err != nil {
		t.Errorf("old key: %v", err)
	}

	t.Run("and the delete fails", func(t *testing.T) {
		e := newKeyEnv(t, cloudtest.WithFault("organizationGetList", cloudtest.Fault{Status: 401, Times: 1}),
			cloudtest.WithFault("openapiKeyDelete", cloudtest.Fault{Status: 409}))
		name := *e.ownKey().Name
		_, err := e.c.RotateKey(context.Background(), e.rotation())
		re := rotationError(t, err, cloud.KeyRotationVerify)
		if re.NewKeyDeleted || re.NewKeyID == "" || re.NewKeySecret == "" || re.CleanupErr == nil {
			t.Fatalf("error %+v; want the new credential reported", re)
		}
		if strings.Contains(err.Error(), re.NewKeySecret) || strings.Contains(err.Error(), re.NewKeyID) {
			t.Errorf("the message shows the new credential: %v", err)
		}
		wantKeys(t, e, map[string]string{name: "enabled", name + rotatedOwn: "enabled"})
		if err := e.works(e.srv.KeyID, e.srv.KeySecret); err != nil {
			t.Errorf("old key: %v", err)
		}
		if err := e.works(re.NewKeyID, re.NewKeySecret); err != nil {
			t.Errorf("the reported new key does not work: %v", err)
		}
	})
}

// TestRotateKeySaveFails: SaveCredential fails (the CLI could not write its profile): the new
// key is deleted, the old one kept, and the error wraps SaveCredential's.
func TestRotateKeySaveFails(t *testing.T) {
	e := newKeyEnv(t)
	name := *e.ownKey().Name
	errDisk := errors.New("disk full")
	var gotID, gotSecret string
	r := e.rotation()
	r.SaveCredential = func(_ context.Context, id, secret string) error {
		gotID, gotSecret = id, secret
		// Called after the verify: the new credential works at this point.
		if err := e.works(id, secret); err != nil {
			t.Errorf("SaveCredential called with a credential that does not work: %v", err)
		}
		return errDisk
	}
	_, err := e.c.RotateKey(context.Background(), r)
	re := rotationError(t, err, cloud.KeyRotationSave)
	if !errors.Is(err, errDisk) || !re.NewKeyDeleted || re.NewKeySecret != "" || gotSecret == "" {
		t.Errorf("error %+v; want disk full, the new key deleted", re)
	}
	wantKeys(t, e, map[string]string{name: "enabled"})
	if err := e.works(e.srv.KeyID, e.srv.KeySecret); err != nil {
		t.Errorf("old key: %v", err)
	}
	if err := e.works(gotID, gotSecret); !cloud.IsUnauthorized(err) {
		t.Errorf("the deleted new key: %v, want 401", err)
	}
}

// TestRotateKeyInterruptedDuringSave: the caller's context ends while SaveCredential runs (a
// Ctrl-C): the clean-up still deletes the new key.
func TestRotateKeyInterruptedDuringSave(t *testing.T) {
	e := newKeyEnv(t)
	name := *e.ownKey().Name
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := e.rotation()
	r.SaveCredential = func(ctx context.Context, _, _ string) error { cancel(); return ctx.Err() }
	_, err := e.c.RotateKey(ctx, r)
	re := rotationError(t, err, cloud.KeyRotationSave)
	if !errors.Is(err, context.Canceled) || !re.NewKeyDeleted || re.NewKeySecret != "" {
		t.Errorf("error %v; want canceled with the new key deleted", err)
	}
	wantKeys(t, e, map[string]string{name: "enabled"})
}

// TestRotateKeyFinishFails: the old key cannot be disabled (or, with Delete, deleted): the new
// key, already saved, is kept and reported with its credential; both keys work; the error says
// to finish the old key.
func TestRotateKeyFinishFails(t *testing.T) {
	for _, c := range []struct {
		step  cloud.KeyRotationStep
		op    string
		fault int
	}{
		{cloud.KeyRotationDisable, "openapiKeyUpdate", 500},
		{cloud.KeyRotationDelete, "openapiKeyDelete", 409},
	} {
		t.Run(string(c.step), func(t *testing.T) {
			e := newKeyEnv(t, cloudtest.WithFault(c.op, cloudtest.Fault{Status: c.fault}))
			old := e.ownKey()
			var saved string
			r := e.rotation()
			r.Delete = c.step == cloud.KeyRotationDelete
			r.SaveCredential = func(_ context.Context, id, _ string) error { saved = id; return nil }
			_, err := e.c.RotateKey(context.Background(), r)
			re := rotationError(t, err, c.step)
			var api *cloud.APIError
			if !errors.As(err, &api) || api.StatusCode != c.fault {
				t.Errorf("error %v, want the %d", err, c.fault)
			}
			if re.NewKeyDeleted || re.NewKeyID == "" || re.NewKeyID != saved || re.NewKeySecret == "" || re.NewKey == nil {
				t.Fatalf("error %+v; want the new key kept and reported", re)
			}
			if !strings.Contains(err.Error(), string(c.step)+" the old key "+*old.ID+" once the cause is fixed") {
				t.Errorf("message: %v", err)
			}
			wantKeys(t, e, map[string]string{*old.Name: "enabled", *old.Name + rotatedOwn: "enabled"})
			for _, cred := range [][2]string{{e.srv.KeyID, e.srv.KeySecret}, {re.NewKeyID, re.NewKeySecret}} {
				if err := e.works(cred[0], cred[1]); err != nil {
					t.Errorf("a key does not work: %v", err)
				}
			}
		})
	}
}

// TestRotateKeyFinishAnswerLost: the disable (or delete) of the old key takes effect but its
// answer is lost: the old key is read again (with the new key, as the old one is the caller's),
// and the rotation succeeds.
func TestRotateKeyFinishAnswerLost(t *testing.T) {
	for _, c := range []struct{ op, state string }{{"openapiKeyUpdate", "disabled"}, {"openapiKeyDelete", "deleted"}} {
		t.Run(c.state, func(t *testing.T) {
			e := newKeyEnv(t, cloudtest.WithFault(c.op, cloudtest.Fault{Drop: true, Times: 1}))
			old := e.ownKey()
			r := e.rotation()
			r.Delete = c.state == "deleted"
			res, err := e.c.RotateKey(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if res.OldKeyState != c.state {
				t.Errorf("old key %s, want %s", res.OldKeyState, c.state)
			}
			e.c = e.client(res.NewKeyID, res.NewKeySecret, e.tr)
			want := map[string]string{*old.Name + rotatedOwn: "enabled"}
			if c.state == "disabled" {
				want[*old.Name] = "disabled"
			}
			wantKeys(t, e, want)
		})
	}
}

// TestRotateKeySucceeds: the old key is disabled (its credential gets 401), deleted (with the
// new key, since a key cannot delete itself), or kept until FinishBy (Grace); the new key works
// and was saved; the plan's derived name is the new key's.
func TestRotateKeySucceeds(t *testing.T) {
	for _, c := range []struct {
		name     string
		grace    time.Duration
		delete   bool
		oldState string // "" = gone
		oldErr   string
	}{
		{"disable", 0, false, "disabled", "Key is disabled"},
		{"delete", 0, true, "", "Key is not found"},
		{"grace", 36 * time.Hour, false, "enabled", ""},
		{"grace then delete", 36 * time.Hour, true, "enabled", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newKeyEnv(t)
			old := e.ownKey()
			r := e.rotation()
			r.Grace, r.Delete = c.grace, c.delete
			var savedID, savedSecret string
			r.SaveCredential = func(_ context.Context, id, secret string) error { savedID, savedSecret = id, secret; return nil }
			res, err := e.c.RotateKey(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			e.c = e.client(res.NewKeyID, res.NewKeySecret, e.tr) // the old one may be gone
			if res.NewKeyID != savedID || res.NewKeySecret != savedSecret || savedSecret == "" {
				t.Error("SaveCredential did not get the new credential")
			}
			want := map[string]string{*old.Name + rotatedOwn: "enabled"}
			if c.oldState != "" {
				want[*old.Name] = c.oldState
			}
			wantKeys(t, e, want)
			if err := e.works(res.NewKeyID, res.NewKeySecret); err != nil {
				t.Errorf("new key: %v", err)
			}
			oldErr := e.works(e.srv.KeyID, e.srv.KeySecret)
			if c.oldErr == "" && oldErr != nil || c.oldErr != "" && (!cloud.IsUnauthorized(oldErr) || !strings.Contains(oldErr.Error(), c.oldErr)) {
				t.Errorf("old key: %v, want %q", oldErr, c.oldErr)
			}
			wantState := map[string]string{"disabled": "disabled", "": "deleted", "enabled": "enabled"}[c.oldState]
			if res.OldKeyState != wantState || *res.NewKey.Name != res.Plan.Name || !res.Plan.OldKeyInUse {
				t.Errorf("result: old key %s (want %s), new name %s, plan %+v", res.OldKeyState, wantState, *res.NewKey.Name, res.Plan)
			}
			if c.grace > 0 && (res.FinishBy == nil || !res.FinishBy.Equal(keyEnvStart.Add(c.grace))) {
				t.Errorf("finish by %v, want %v", res.FinishBy, keyEnvStart.Add(c.grace))
			}
			if c.grace == 0 && res.FinishBy != nil {
				t.Errorf("finish by %v without grace", res.FinishBy)
			}
			for _, printed := range []string{fmt.Sprint(res), fmt.Sprintf("%+v", *res), fmt.Sprintf("%v", res)} {
				if strings.Contains(printed, res.NewKeySecret) || !strings.Contains(printed, *res.NewKey.ID) {
					t.Errorf("printed result shows the secret or lacks the new key's ID: %d characters", len(printed))
				}
			}
			if raw, _ := json.Marshal(res); !strings.Contains(string(raw), `"keySecret":"`+res.NewKeySecret+`"`) {
				t.Error("the JSON encoding lacks keySecret")
			}
		})
	}
}

// TestRotateKeyCopiesRolesListAndLifetime: another key than the caller's, with a custom role,
// an empty IP access list, or a list of two, and an expiry 30 days after its creation: the new
// key has the same assigned roles and list ([] stays [], not the fake's default "anywhere"),
// and expires 30 days after the rotation. The caller's own key is untouched.
func TestRotateKeyCopiesRolesListAndLifetime(t *testing.T) {
	e := newKeyEnv(t)
	ctx := context.Background()
	role, err := cloud.Result(e.c.OrganizationRolePostWithBodyWithResponse(ctx, e.org, "application/json",
		strings.NewReader(`{"name":"deployer","actors":[],"policies":[]}`)))
	if err != nil {
		t.Fatal(err)
	}
	roles, err := cloud.Result(e.c.OrganizationRolesGetListWithResponse(ctx, e.org))
	if err != nil {
		t.Fatal(err)
	}
	var developer string
	for _, r := range roles {
		if *r.Name == "Developer" {
			developer = *r.ID
		}
	}
	for _, list := range []string{`[]`, `[{"source":"203.0.113.0/24","description":"office"},{"source":"2001:db8::/32"}]`} {
		expiry := e.clock.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
		oldKey, _, _ := e.createKey(`{"name":"ci","assignedRoleIds":["` + *role.ID + `","` + developer + `"],"expireAt":"` + expiry + `","ipAccessList":` + list + `}`)
		e.clock.Advance(10 * 24 * time.Hour)
		res, err := e.c.RotateKey(ctx, cloud.KeyRotation{OrganizationID: e.org, KeyID: *oldKey.ID, Now: e.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		got, err := cloud.Result(e.c.OpenapiKeyGetWithResponse(ctx, e.org, *res.NewKey.ID))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(roleIDsOf(got), roleIDsOf(&oldKey)) || len(roleIDsOf(got)) != 2 {
			t.Errorf("list %s: roles %v, want %v", list, roleIDsOf(got), roleIDsOf(&oldKey))
		}
		gotList, _ := json.Marshal(got.IPAccessList)
		oldList, _ := json.Marshal(oldKey.IPAccessList)
		if string(gotList) != string(oldList) || got.IPAccessList == nil {
			t.Errorf("ip access list %s, want %s", gotList, oldList)
		}
		if exp, err := got.ExpireAt.Get(); err != nil || !exp.Equal(e.clock.Now().Add(30*24*time.Hour)) {
			t.Errorf("expireAt %v, want %v", exp, e.clock.Now().Add(30*24*time.Hour))
		}
		if res.Plan.OldKeyInUse || res.OldKeyState != "disabled" {
			t.Errorf("plan %+v, old key %s", res.Plan, res.OldKeyState)
		}
		// Remove both, for the next round's name.
		for _, id := range []string{*oldKey.ID, *res.NewKey.ID} {
			if err := cloud.Check(e.c.OpenapiKeyDeleteWithResponse(ctx, e.org, id)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := e.works(e.srv.KeyID, e.srv.KeySecret); err != nil {
		t.Errorf("the caller's key: %v", err)
	}
}

func roleIDsOf(k *cloudapi.APIKey) []string {
	var ids []string
	for _, r := range k.AssignedRoles {
		ids = append(ids, *r.RoleID)
	}
	slices.Sort(ids)
	return ids
}

// TestPlanKeyRotationChangesNothing: a dry run reads the key and changes nothing; bad input is
// refused before any request.
func TestPlanKeyRotationChangesNothing(t *testing.T) {
	e := newKeyEnv(t)
	old := e.ownKey()
	p, err := e.c.PlanKeyRotation(context.Background(), e.rotation())
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != *old.Name+rotatedOwn || p.OldKeyAction != cloud.KeyRotationDisableOld || !p.OldKeyInUse || p.ExpireAt != nil {
		t.Errorf("plan %+v", p)
	}
	wantKeys(t, e, map[string]string{*old.Name: "enabled"})
	past := keyEnvStart.Add(-time.Hour)
	for _, bad := range []cloud.KeyRotation{
		{KeyID: *old.ID},
		{OrganizationID: e.org, KeyID: *old.ID, NoExpiry: true, ExpireAt: &past},
		{OrganizationID: e.org, KeyID: *old.ID, ExpireAt: &past, Now: keyEnvStart},
		{OrganizationID: e.org, KeyID: *old.ID, Grace: -time.Hour},
	} {
		if _, err := e.c.RotateKey(context.Background(), bad); err == nil {
			t.Errorf("%+v: no error", bad)
		} else if errors.As(err, new(*cloud.KeyRotationError)) {
			t.Errorf("%+v: a rotation error before anything was done: %v", bad, err)
		}
	}
	wantKeys(t, e, map[string]string{*old.Name: "enabled"})
}
