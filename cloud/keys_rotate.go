package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// KeyRotation describes one rotation of an API key (RotateKey, PlanKeyRotation).
type KeyRotation struct {
	// OrganizationID and KeyID (the key's UUID, as the key list shows it) are required. Names
	// and credential key IDs are the caller's to resolve.
	OrganizationID string
	KeyID          string
	// Name is the new key's name. Empty derives it from the old one: "ci" becomes
	// "ci (rotated 2026-12-04)" (the date of Now, UTC), and a name that already ends in such a
	// suffix has it replaced, so keys rotated again and again do not grow long names; a key
	// rotated twice the same day gets the time too ("ci (rotated 2026-12-04 10:30)").
	Name string
	// ExpireAt is the new key's expiry. Nil gives the new key a lifetime as long as the old
	// key's (its expireAt less its createdAt), counted from Now; an old key that never expires
	// gives a new one that never expires.
	ExpireAt *time.Time
	// NoExpiry makes the new key never expire, whatever the old one did. It excludes ExpireAt.
	NoExpiry bool
	// Grace > 0 leaves the old key enabled: the result says until when (FinishBy = Now + Grace)
	// and the caller disables (or with Delete deletes) it then.
	Grace time.Duration
	// Delete deletes the old key instead of disabling it (after Grace, by the caller).
	Delete bool
	// SaveCredential, when set, is called with the new credential after it has been proven to
	// work and before the old key is touched: the CLI writes its profile here. An error stops
	// the rotation: the new key is deleted and the old one stays enabled.
	SaveCredential func(ctx context.Context, keyID, keySecret string) error
	// Now is the time the new name and expiry are computed from; zero means time.Now().
	Now time.Time
}

// KeyRotationStep names the step of a rotation that failed (KeyRotationError.Step).
type KeyRotationStep string

// The steps of RotateKey, in order. The last is disable or delete, whichever was asked for.
const (
	KeyRotationCreate  KeyRotationStep = "create"
	KeyRotationVerify  KeyRotationStep = "verify"
	KeyRotationSave    KeyRotationStep = "save"
	KeyRotationDisable KeyRotationStep = "disable"
	KeyRotationDelete  KeyRotationStep = "delete"
)

// KeyRotationAction is what a rotation does with the old key.
type KeyRotationAction string

// What happens to the old key: disabled, deleted, or kept enabled for the grace period.
const (
	KeyRotationDisableOld KeyRotationAction = "disable"
	KeyRotationDeleteOld  KeyRotationAction = "delete"
	KeyRotationKeepOld    KeyRotationAction = "keep"
)

// KeyRotationPlan is what RotateKey does (and, alone, a dry run): the key it replaces and the
// new key's request.
type KeyRotationPlan struct {
	OrganizationID string          `json:"organizationId"`
	OldKey         cloudapi.APIKey `json:"oldKey"`
	Name           string          `json:"name"`
	// AssignedRoleIDs are the IDs of the old key's assigned roles. When the old key has any,
	// they alone are sent: the deprecated roles field is frozen at its pre-migration value in
	// organizations that use assigned roles, and copying it could give the new key more than
	// the old one has.
	AssignedRoleIDs []string `json:"assignedRoleIds,omitempty"`
	// Roles are the old key's deprecated roles, copied only when it has no assigned roles (an
	// organization that still uses the legacy roles).
	Roles []string `json:"roles,omitempty"`
	// IPAccessList is the old key's list, sent exactly: an empty list is sent as [] (not
	// omitted, which would let the server apply its default, on the fake "anywhere"); nil
	// (the old key's answer had no list) sends none.
	IPAccessList []cloudapi.IPAccessListEntry `json:"ipAccessList"`
	// ExpireAt is the new key's expiry, nil for never.
	ExpireAt *time.Time `json:"expireAt"`
	// OldKeyAction is what happens to the old key: disable, delete, or keep (Grace).
	OldKeyAction KeyRotationAction `json:"oldKeyAction"`
	// KeepUntil (with Grace) is when the old key should be finished with FinishWith.
	KeepUntil  *time.Time        `json:"keepUntil,omitempty"`
	FinishWith KeyRotationAction `json:"finishWith,omitempty"`
	// OldKeyInUse says that the old key is the one this client signs in with: the last step
	// is then made with the new key (a key cannot delete itself).
	OldKeyInUse bool `json:"oldKeyInUse"`
}

// KeyRotationResult is a rotation that succeeded.
type KeyRotationResult struct {
	Plan   KeyRotationPlan `json:"plan"`
	NewKey cloudapi.APIKey `json:"key"`
	// NewKeyID and NewKeySecret are the new credential, given once: the API never shows the
	// secret again.
	NewKeyID     string `json:"keyId"`
	NewKeySecret string `json:"keySecret"`
	// OldKeyState is "disabled", "deleted" or (with Grace) "enabled".
	OldKeyState string `json:"oldKeyState"`
	// FinishBy (with Grace) is when the old key should be disabled or deleted (Plan.FinishWith).
	FinishBy *time.Time `json:"finishBy,omitempty"`
}

// String describes the rotation without the new secret, so that printing a result (%v, a log
// line) does not leak it; the secret is in NewKeySecret and in the JSON encoding only.
func (r KeyRotationResult) String() string {
	s := fmt.Sprintf("API key %s replaced by %s (%s); old key %s", deref(r.Plan.OldKey.ID), deref(r.NewKey.ID), deref(r.NewKey.Name), r.OldKeyState)
	if r.FinishBy != nil {
		s += fmt.Sprintf(" until %s, then %s it", r.FinishBy.UTC().Format(time.RFC3339), r.Plan.FinishWith)
	}
	return s
}

// KeyRotationError is the error of a rotation step that failed. Its guarantee: the old key is
// still enabled (OldKeyEnabled; when the last step fails the key is read again, and only a key
// found disabled or gone makes it false), and the new key either does not exist (NewKeyCreated false),
// was deleted again (NewKeyDeleted), or is reported here (NewKey, and NewKeyID/NewKeySecret when
// its secret is known) for the caller to keep or delete. Error never contains the secret.
//
// Per step: create fails: nothing to clean up, unless the answer was lost after the request was
// sent (ErrOutcomeUnknown): then the keys created since the call are looked up (FindCreated) and
// the one found deleted, as its secret was lost with the answer. Verify or save fails: the new
// key is deleted with the old credential; if that fails too, it is reported. Disable or delete of
// the old key fails: the new key is kept (SaveCredential already stored it) and reported; the
// old key stays enabled and must be disabled (or deleted) once the cause is fixed. When that
// step's answer was lost, the key read again tells: if the step took effect, RotateKey succeeds.
type KeyRotationError struct {
	Step KeyRotationStep
	Err  error
	// OldKeyID is the UUID of the key being rotated.
	OldKeyID      string
	OldKeyEnabled bool
	// NewKeyCreated is false only when the create provably did not happen.
	NewKeyCreated bool
	NewKeyDeleted bool
	// NewKey is the new key when it exists and was not deleted (its UUID in NewKey.ID).
	NewKey *cloudapi.APIKey
	// NewKeyID and NewKeySecret are the new credential, when the new key exists, was not deleted
	// and its answer arrived. They are not part of Error's text.
	NewKeyID, NewKeySecret string
	// CleanupErr is why deleting the new key failed, if it did.
	CleanupErr error
}

func (e *KeyRotationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cloud: rotating API key %s: the %s step failed: %v", e.OldKeyID, e.Step, e.Err)
	if e.OldKeyEnabled {
		b.WriteString("; the old key is still enabled")
	} else {
		b.WriteString("; the old key is no longer enabled")
	}
	switch {
	case !e.NewKeyCreated:
		b.WriteString("; no new key was created")
	case e.NewKeyDeleted:
		b.WriteString("; the new key was deleted again")
	case e.NewKey != nil && e.NewKey.ID != nil && e.NewKeySecret != "":
		fmt.Fprintf(&b, "; the new key %s exists and works (its key ID and secret are given once, with this error)", *e.NewKey.ID)
	case e.NewKey != nil && e.NewKey.ID != nil:
		fmt.Fprintf(&b, "; the new key %s exists but its secret was lost: delete it", *e.NewKey.ID)
	default:
		b.WriteString("; a new key may have been created: look for it in the key list and delete it")
	}
	if e.CleanupErr != nil {
		fmt.Fprintf(&b, " (deleting it failed: %v)", e.CleanupErr)
	}
	if (e.Step == KeyRotationDisable || e.Step == KeyRotationDelete) && e.OldKeyEnabled {
		fmt.Fprintf(&b, "; %s the old key %s once the cause is fixed", e.Step, e.OldKeyID)
	}
	return b.String()
}

// Unwrap gives the step's error (an *APIError, ErrOutcomeUnknown, SaveCredential's error...).
func (e *KeyRotationError) Unwrap() error { return e.Err }

// PlanKeyRotation reads the old key and returns what RotateKey would do, changing nothing.
func (c *Client) PlanKeyRotation(ctx context.Context, r KeyRotation) (*KeyRotationPlan, error) {
	if r.OrganizationID == "" || r.KeyID == "" {
		return nil, errors.New("cloud: a key rotation needs the organization ID and the key's UUID (KeyRotation.OrganizationID, KeyID)")
	}
	if r.NoExpiry && r.ExpireAt != nil {
		return nil, errors.New("cloud: a key rotation takes ExpireAt or NoExpiry, not both")
	}
	if r.Grace < 0 {
		return nil, fmt.Errorf("cloud: a key rotation's grace period must not be negative (got %s)", r.Grace)
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	if r.ExpireAt != nil && !r.ExpireAt.After(now) {
		return nil, fmt.Errorf("cloud: the new key's expiry %s is not in the future: give a later time or NoExpiry",
			r.ExpireAt.UTC().Format(time.RFC3339))
	}
	old, err := Result(c.OpenapiKeyGetWithResponse(ctx, r.OrganizationID, r.KeyID))
	if err != nil {
		return nil, fmt.Errorf("cloud: reading the API key %s to rotate: %w", r.KeyID, err)
	}
	return planRotation(*old, r, now, c.keyID)
}

// planRotation is the plan for replacing old as r asks, at now, by a client signing in with
// the credential key ID keyID.
func planRotation(old cloudapi.APIKey, r KeyRotation, now time.Time, keyID string) (*KeyRotationPlan, error) {
	p := &KeyRotationPlan{OrganizationID: r.OrganizationID, OldKey: old, Name: r.Name, IPAccessList: old.IPAccessList,
		OldKeyAction: KeyRotationDisableOld, OldKeyInUse: keyInUse(old, keyID)}
	if state := deref(old.State); state == cloudapi.APIKeyStateDisabled {
		// Rotating a disabled key would enable a replacement for a key nobody can use.
		return nil, fmt.Errorf("cloud: the API key %s is %s: enable it first, or create a new key", r.KeyID, state)
	}
	if p.Name == "" {
		p.Name = rotatedName(deref(old.Name), now)
	}
	for _, role := range old.AssignedRoles {
		if role.RoleID == nil || *role.RoleID == "" {
			p.AssignedRoleIDs = nil
			break
		}
		p.AssignedRoleIDs = append(p.AssignedRoleIDs, *role.RoleID)
	}
	if len(p.AssignedRoleIDs) == 0 {
		for _, role := range old.Roles {
			p.Roles = append(p.Roles, string(role))
		}
	}
	if len(p.AssignedRoleIDs) == 0 && len(p.Roles) == 0 {
		return nil, fmt.Errorf("cloud: the API key %s lists no role whose ID or legacy name can be copied, so a replacement cannot be given the same roles", r.KeyID)
	}
	switch {
	case r.NoExpiry:
	case r.ExpireAt != nil:
		t := r.ExpireAt.UTC().Truncate(time.Second)
		p.ExpireAt = &t
	default:
		oldExpiry, getErr := old.ExpireAt.Get()
		if getErr == nil && !oldExpiry.IsZero() {
			if old.CreatedAt == nil || !oldExpiry.After(*old.CreatedAt) {
				return nil, fmt.Errorf("cloud: the API key %s has no creation time before its expiry, so its lifetime is unknown: give the new key's expiry", r.KeyID)
			}
			t := now.Add(oldExpiry.Sub(*old.CreatedAt)).Truncate(time.Second)
			p.ExpireAt = &t
		}
	}
	if r.Delete {
		p.OldKeyAction = KeyRotationDeleteOld
	}
	if r.Grace > 0 {
		until := now.Add(r.Grace)
		p.KeepUntil, p.FinishWith, p.OldKeyAction = &until, p.OldKeyAction, KeyRotationKeepOld
	}
	return p, nil
}

// rotatedSuffix is the suffix rotatedName adds, to be replaced on the next rotation. It is
// compiled on first use: every program that links the SDK would otherwise pay for it at start-up.
var rotatedSuffix = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(` \(rotated \d{4}-\d{2}-\d{2}( \d{2}:\d{2})?\)$`)
})

// rotatedName derives the new key's name: the date of the rotation, and its time (UTC) when
// the key was already rotated that day, so the two keys never share a name.
func rotatedName(old string, now time.Time) string {
	base := rotatedSuffix().ReplaceAllString(old, "")
	name := base + " (rotated " + now.Format(time.DateOnly) + ")"
	if name == old {
		name = base + " (rotated " + now.Format("2006-01-02 15:04") + ")"
	}
	return name
}

// keyInUse reports whether key is the one whose credential key ID is keyID: the API shows only
// the last four characters of a key ID (keySuffix).
func keyInUse(key cloudapi.APIKey, keyID string) bool {
	suffix := deref(key.KeySuffix)
	return suffix != "" && len(keyID) > len(suffix) && strings.HasSuffix(keyID, suffix)
}

// RotateKey replaces an API key without leaving its users without a working one:
//
//  1. create the new key with the old key's roles (assigned role IDs, or the legacy roles of an
//     organization that has no assigned roles) and IP access list, exactly (see KeyRotationPlan);
//  2. verify: one authenticated call made with the new credential (same base URL and transport
//     options as c), which must list the rotation's organization;
//  3. SaveCredential, if set;
//  4. disable the old key, or delete it (Delete), or with Grace leave it enabled until FinishBy.
//     When the old key is the one c signs in with, this step is made with the new key.
//
// A failed step returns a *KeyRotationError saying what became of both keys; errors before
// step 1 (bad input, reading the old key) are plain errors and change nothing.
func (c *Client) RotateKey(ctx context.Context, r KeyRotation) (*KeyRotationResult, error) {
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	p, err := c.PlanKeyRotation(ctx, r)
	if err != nil {
		return nil, err
	}
	fail := &KeyRotationError{Step: KeyRotationCreate, OldKeyID: r.KeyID, OldKeyEnabled: true}

	created, err := c.createKey(ctx, p)
	if err != nil {
		fail.Err = err
		if IsOutcomeUnknown(err) {
			// What was created since the plan's time, or the call's start if earlier: r.Now
			// may be another clock's (a test's fake server), and the server stamps createdAt
			// with its own.
			since := r.Now
			var lost *OutcomeUnknownError
			if errors.As(err, &lost) && lost.Started.Before(since) {
				since = lost.Started
			}
			cctx, cancel := cleanupContext(ctx)
			defer cancel()
			c.settleLostKey(cctx, p, since, fail)
		}
		return nil, fail
	}
	fail.NewKeyCreated = true
	newKey := deref(created.Key)
	newID, newSecret := deref(created.KeyID), deref(created.KeySecret)
	report := func(step KeyRotationStep, err error) *KeyRotationError {
		fail.Step, fail.Err = step, err
		fail.NewKey, fail.NewKeyID, fail.NewKeySecret = &newKey, newID, newSecret
		return fail
	}
	cleanUp := func(step KeyRotationStep, err error) *KeyRotationError {
		report(step, err)
		if newKey.ID == nil {
			return fail
		}
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		if derr := Check(c.OpenapiKeyDeleteWithResponse(cctx, r.OrganizationID, *newKey.ID)); derr != nil {
			fail.CleanupErr = derr
			return fail
		}
		fail.NewKeyDeleted = true
		fail.NewKey, fail.NewKeyID, fail.NewKeySecret = nil, "", ""
		return fail
	}
	if newID == "" || newSecret == "" || newKey.ID == nil {
		return nil, cleanUp(KeyRotationCreate, errors.New("the create answer lacks the new key's ID, key ID or secret"))
	}

	next, err := c.withCredentials(newID, newSecret)
	if err != nil {
		return nil, cleanUp(KeyRotationVerify, err)
	}
	if err := verifyKey(ctx, next, r.OrganizationID); err != nil {
		return nil, cleanUp(KeyRotationVerify, err)
	}
	if r.SaveCredential != nil {
		if err := r.SaveCredential(ctx, newID, newSecret); err != nil {
			return nil, cleanUp(KeyRotationSave, err)
		}
	}

	res := &KeyRotationResult{Plan: *p, NewKey: newKey, NewKeyID: newID, NewKeySecret: newSecret, OldKeyState: "enabled"}
	finisher := c
	if p.OldKeyInUse {
		finisher = next
	}
	var err2 error
	step := KeyRotationDisable
	switch p.OldKeyAction {
	case KeyRotationKeepOld:
		res.FinishBy = p.KeepUntil
		return res, nil
	case KeyRotationDeleteOld:
		step = KeyRotationDelete
		err2 = Check(finisher.OpenapiKeyDeleteWithResponse(ctx, r.OrganizationID, r.KeyID))
	default:
		state := cloudapi.APIKeyPatchRequestStateDisabled
		if _, err2 = Result(finisher.OpenapiKeyUpdateWithResponse(ctx, r.OrganizationID, r.KeyID,
			cloudapi.APIKeyPatchRequest{State: &state})); errors.Is(err2, ErrNoResult) {
			err2 = nil
		}
	}
	res.OldKeyState = map[KeyRotationStep]string{KeyRotationDisable: "disabled", KeyRotationDelete: "deleted"}[step]
	if err2 == nil {
		return res, nil
	}
	// The answer may say nothing of what happened (lost, or a retried DELETE that finds the
	// key gone): the old key is read again, and the rotation is done if it is.
	switch oldKeyState(ctx, finisher, r.OrganizationID, r.KeyID) {
	case res.OldKeyState:
		return res, nil
	case "disabled", "deleted":
		fail.OldKeyEnabled = false
	}
	return nil, report(step, err2)
}

// oldKeyState reads the key's state after a failed disable or delete: "enabled", "disabled",
// "deleted" (404), or "" when it cannot be read.
func oldKeyState(ctx context.Context, c *Client, orgID, keyID string) string {
	key, err := Result(c.OpenapiKeyGetWithResponse(ctx, orgID, keyID))
	switch {
	case IsNotFound(err):
		return "deleted"
	case err != nil:
		return ""
	}
	return string(deref(key.State))
}

// CleanupTimeout bounds the clean-up after a failed rotation step (looking for a lost key,
// deleting the new key), which runs even when the caller's context has ended: a rotation
// interrupted after the create (Ctrl-C while the profile is written) deletes its new key rather
// than leave it behind.
const CleanupTimeout = 30 * time.Second

func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
}

// keyCreateBody is the create request RotateKey sends. It is not the generated
// cloudapi.APIKeyPostRequest because that omits an empty ipAccessList ([] with omitempty), which
// would let the server choose the list; here a non-nil pointer sends the old list as it was.
type keyCreateBody struct {
	Name            string                        `json:"name"`
	AssignedRoleIDs []string                      `json:"assignedRoleIds,omitempty"`
	Roles           []string                      `json:"roles,omitempty"`
	ExpireAt        *time.Time                    `json:"expireAt,omitempty"`
	IPAccessList    *[]cloudapi.IPAccessListEntry `json:"ipAccessList,omitempty"`
}

func createBody(p *KeyRotationPlan) keyCreateBody {
	body := keyCreateBody{Name: p.Name, AssignedRoleIDs: p.AssignedRoleIDs, Roles: p.Roles, ExpireAt: p.ExpireAt}
	if p.IPAccessList != nil {
		list := p.IPAccessList
		body.IPAccessList = &list
	}
	return body
}

func (c *Client) createKey(ctx context.Context, p *KeyRotationPlan) (*cloudapi.APIKeyPostResponse, error) {
	raw, err := json.Marshal(createBody(p))
	if err != nil {
		return nil, fmt.Errorf("cloud: encoding the new key's request: %w", err)
	}
	return Result(c.OpenapiKeyCreateWithBodyWithResponse(ctx, p.OrganizationID, "application/json", bytes.NewReader(raw)))
}

// verifyKey makes one call with the new credential: the organization list, which any key may
// read and which must name the rotation's organization.
func verifyKey(ctx context.Context, next *Client, orgID string) error {
	orgs, err := Result(next.OrganizationGetListWithResponse(ctx))
	if err != nil {
		return fmt.Errorf("the new key could not sign in: %w", err)
	}
	for _, o := range orgs {
		if deref(o.ID) == orgID {
			return nil
		}
	}
	return fmt.Errorf("the new key signs in but does not list the organization %s", orgID)
}

// settleLostKey looks for the key a create whose answer was lost may have made (by its name,
// created since the call began), and deletes it: its secret was in the lost answer, so it can
// never be used. What it cannot settle stays in fail: NewKeyCreated true without NewKeyDeleted.
func (c *Client) settleLostKey(ctx context.Context, p *KeyRotationPlan, since time.Time, fail *KeyRotationError) {
	fail.NewKeyCreated = true
	found, err := c.FindCreated(ctx, CreatedQuery{Kind: KindKey, OrgID: p.OrganizationID, Name: p.Name, Since: since})
	if err != nil {
		fail.CleanupErr = err
		return
	}
	// Never the old key, whatever its name and age.
	found = slices.DeleteFunc(found, func(k Created) bool { return k.ID == fail.OldKeyID })
	switch len(found) {
	case 0:
		fail.NewKeyCreated = false
		return
	case 1:
	default:
		fail.CleanupErr = fmt.Errorf("%d keys named %q were created since the call began: none was deleted", len(found), p.Name)
		return
	}
	var key cloudapi.APIKey
	_ = json.Unmarshal(found[0].Raw, &key)
	key.ID = &found[0].ID
	if err := Check(c.OpenapiKeyDeleteWithResponse(ctx, p.OrganizationID, found[0].ID)); err != nil {
		fail.NewKey, fail.CleanupErr = &key, err
		return
	}
	fail.NewKeyDeleted = true
}
