package cloud

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// KeyFindingLevel is how serious a finding of AuditKeys is: info < warning < critical.
type KeyFindingLevel string

// The levels of KeyFinding, from least to most serious.
const (
	KeyFindingInfo     KeyFindingLevel = "info"
	KeyFindingWarning  KeyFindingLevel = "warning"
	KeyFindingCritical KeyFindingLevel = "critical"
)

func (l KeyFindingLevel) rank() int {
	switch l {
	case KeyFindingInfo:
		return 1
	case KeyFindingWarning:
		return 2
	case KeyFindingCritical:
		return 3
	}
	return 0
}

// AtLeast reports whether l is as serious as m or more (critical.AtLeast(warning) is true).
func (l KeyFindingLevel) AtLeast(m KeyFindingLevel) bool { return l.rank() >= m.rank() && l.rank() > 0 }

// ParseKeyFindingLevel reads a level: info, warning or critical (any case).
func ParseKeyFindingLevel(s string) (KeyFindingLevel, error) {
	l := KeyFindingLevel(strings.ToLower(strings.TrimSpace(s)))
	if l.rank() == 0 {
		return "", fmt.Errorf("cloud: unknown finding level %q: use info, warning or critical", s)
	}
	return l, nil
}

// Defaults of KeyAuditOptions.
const (
	DefaultKeyAuditExpiring = 14 * 24 * time.Hour
	DefaultKeyAuditUnused   = 90 * 24 * time.Hour
	DefaultKeyAuditDisabled = 30 * 24 * time.Hour
	DefaultKeyAuditMaxAdmin = 3
)

// KeyAuditOptions are the thresholds of AuditKeys; a zero (or negative) value takes the default.
type KeyAuditOptions struct {
	Now      time.Time     // zero: time.Now()
	Expiring time.Duration // expiring: expires within this (default 14 days)
	Unused   time.Duration // unused: last used longer ago than this (default 90 days)
	Disabled time.Duration // delete-candidate: disabled and unused longer than this (default 30 days)
	MaxAdmin int           // too-many-admins: more usable admin keys than this (default 3)
	// CurrentKeyID is the credential key ID (Basic-auth user) of the caller, to mark the
	// findings of the key in use (KeyFinding.Current). Client.AuditKeys fills it with its own.
	CurrentKeyID string
}

func (o KeyAuditOptions) withDefaults() KeyAuditOptions {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Expiring <= 0 {
		o.Expiring = DefaultKeyAuditExpiring
	}
	if o.Unused <= 0 {
		o.Unused = DefaultKeyAuditUnused
	}
	if o.Disabled <= 0 {
		o.Disabled = DefaultKeyAuditDisabled
	}
	if o.MaxAdmin <= 0 {
		o.MaxAdmin = DefaultKeyAuditMaxAdmin
	}
	return o
}

// KeyFinding is one rule that one key breaks.
type KeyFinding struct {
	KeyUUID   string          `json:"keyId"`
	KeyName   string          `json:"keyName"`
	KeySuffix string          `json:"keySuffix,omitempty"`
	Rule      string          `json:"rule"` // a KeyAuditRule.ID
	Level     KeyFindingLevel `json:"level"`
	Message   string          `json:"message"`
	Current   bool            `json:"current,omitempty"` // the key the caller signs in with
}

// KeyAuditRule is one rule of AuditKeys.
type KeyAuditRule struct {
	ID          string          `json:"id"`
	Level       KeyFindingLevel `json:"level"`
	Description string          `json:"description"`
}

// The rule IDs of AuditKeys: stable, for scripts and CI.
const (
	RuleExpiredEnabled    = "expired-enabled"
	RuleAdminNoExpiryOpen = "admin-no-expiry-open"
	RuleExpiring          = "expiring"
	RuleAdminNoExpiry     = "admin-no-expiry"
	RuleOpenToAll         = "open-to-all"
	RuleUnused            = "unused"
	RuleTooManyAdmins     = "too-many-admins"
	RuleNeverUsed         = "never-used"
	RuleDeleteCandidate   = "delete-candidate"
)

// KeyAuditRules are the rules of AuditKeys, most serious first, with their levels and what they
// mean (the CLI prints this table in its help). Only enabled keys that have not expired are
// judged by the rules about use, expiry, roles and addresses: a disabled or expired key cannot
// sign in. "Admin" means the system role Admin among the key's assigned roles, or, for a key
// with no assigned roles, the legacy role admin; custom roles are not judged. "Open to every
// address" means an IP access list entry of 0.0.0.0/0 or ::/0 (any prefix of length 0); an empty
// or missing list is not reported, as the API does not document what it allows.
var KeyAuditRules = []KeyAuditRule{
	{RuleExpiredEnabled, KeyFindingCritical, "expired but still listed enabled: disable or delete it"},
	{RuleAdminNoExpiryOpen, KeyFindingCritical, "admin key that never expires and is open to every address (replaces admin-no-expiry and open-to-all for that key)"},
	{RuleExpiring, KeyFindingWarning, "expires within the expiring window (default 14 days): rotate it"},
	{RuleAdminNoExpiry, KeyFindingWarning, "admin key that never expires"},
	{RuleOpenToAll, KeyFindingWarning, "usable from every address (0.0.0.0/0 or ::/0 in its IP access list)"},
	{RuleUnused, KeyFindingWarning, "not used for longer than the unused window (default 90 days)"},
	{RuleTooManyAdmins, KeyFindingWarning, "one of more usable admin keys than the maximum (default 3); reported on each of them"},
	{RuleNeverUsed, KeyFindingInfo, "never used"},
	{RuleDeleteCandidate, KeyFindingInfo, "disabled, and neither used nor created within the disabled window (default 30 days; the API does not say when a key was disabled): a candidate for deletion"},
}

func ruleLevel(id string) KeyFindingLevel {
	for _, r := range KeyAuditRules {
		if r.ID == id {
			return r.Level
		}
	}
	return KeyFindingInfo
}

// AuditKeys judges keys (as the key list gives them) by KeyAuditRules at opts.Now and returns
// one finding per key and rule broken, most serious first, then by key name, rule and key UUID.
// It makes no request.
//
// The thresholds: expiring when expireAt is after now and at most opts.Expiring away; unused
// when usedAt is more than opts.Unused ago; delete-candidate when the later of usedAt (else
// createdAt) is more than opts.Disabled ago; too-many-admins when more than opts.MaxAdmin keys
// are admin, enabled and not expired. A key whose state is anything but "disabled" is judged as
// enabled (an audit errs towards reporting).
func AuditKeys(keys []cloudapi.APIKey, opts KeyAuditOptions) []KeyFinding {
	opts = opts.withDefaults()
	now := opts.Now
	day := func(t time.Time) string { return t.UTC().Format(time.DateOnly) }
	var findings []KeyFinding
	var admins []cloudapi.APIKey
	add := func(k cloudapi.APIKey, rule, format string, args ...any) {
		findings = append(findings, KeyFinding{KeyUUID: deref(k.ID), KeyName: deref(k.Name), KeySuffix: deref(k.KeySuffix),
			Rule: rule, Level: ruleLevel(rule), Message: fmt.Sprintf(format, args...), Current: keyInUse(k, opts.CurrentKeyID)})
	}
	for _, k := range keys {
		expiry, err := k.ExpireAt.Get()
		expires := err == nil && !expiry.IsZero()
		if deref(k.State) == cloudapi.APIKeyStateDisabled {
			last := deref(k.UsedAt)
			if last.IsZero() {
				last = deref(k.CreatedAt)
			}
			if !last.IsZero() && now.Sub(last) > opts.Disabled {
				add(k, RuleDeleteCandidate, "disabled, last used or created %s (more than %s ago): delete it if nothing needs it", day(last), days(opts.Disabled))
			}
			continue
		}
		if expires && !now.Before(expiry) {
			add(k, RuleExpiredEnabled, "expired %s but still listed enabled: disable or delete it", day(expiry))
			continue
		}
		if expires && expiry.Sub(now) <= opts.Expiring {
			add(k, RuleExpiring, "expires %s (within %s): rotate it", day(expiry), days(opts.Expiring))
		}
		admin, open := isAdminKey(k), openToAll(k.IPAccessList)
		switch {
		case admin && !expires && open:
			add(k, RuleAdminNoExpiryOpen, "admin key that never expires and is open to every address: give it an expiry and an IP access list, or rotate it")
		case admin && !expires:
			add(k, RuleAdminNoExpiry, "admin key that never expires: give it an expiry")
		case open:
			add(k, RuleOpenToAll, "open to every address: restrict its IP access list")
		}
		if admin {
			admins = append(admins, k)
		}
		if used := deref(k.UsedAt); used.IsZero() {
			add(k, RuleNeverUsed, "never used")
		} else if now.Sub(used) > opts.Unused {
			add(k, RuleUnused, "last used %s (more than %s ago): disable it if nothing needs it", day(used), days(opts.Unused))
		}
	}
	if len(admins) > opts.MaxAdmin {
		for _, k := range admins {
			add(k, RuleTooManyAdmins, "one of %d usable admin keys (at most %d wanted)", len(admins), opts.MaxAdmin)
		}
	}
	slices.SortFunc(findings, func(a, b KeyFinding) int {
		return cmp.Or(b.Level.rank()-a.Level.rank(), strings.Compare(a.KeyName, b.KeyName),
			strings.Compare(a.Rule, b.Rule), strings.Compare(a.KeyUUID, b.KeyUUID))
	})
	return findings
}

// AuditKeys lists the organization's keys and judges them with AuditKeys. An empty
// opts.CurrentKeyID means the key c signs in with. A zero opts.Now means time.Now(): against a
// fake server on a cloudtest.ManualClock, pass the clock's time.
func (c *Client) AuditKeys(ctx context.Context, organizationID string, opts KeyAuditOptions) ([]KeyFinding, error) {
	if organizationID == "" {
		return nil, fmt.Errorf("cloud: AuditKeys needs the organization ID")
	}
	keys, err := Result(c.OpenapiKeyGetListWithResponse(ctx, organizationID))
	if err != nil {
		return nil, fmt.Errorf("cloud: listing the API keys to audit: %w", err)
	}
	if opts.CurrentKeyID == "" {
		opts.CurrentKeyID = c.keyID
	}
	return AuditKeys(keys, opts), nil
}

// isAdminKey: the system role Admin among the assigned roles; without assigned roles, the legacy
// role admin (the legacy field is frozen once an organization uses assigned roles).
func isAdminKey(k cloudapi.APIKey) bool {
	if len(k.AssignedRoles) > 0 {
		return slices.ContainsFunc(k.AssignedRoles, func(r cloudapi.AssignedRole) bool {
			return deref(r.RoleName) == "Admin" && deref(r.RoleType) != cloudapi.AssignedRoleRoleTypeCustom
		})
	}
	return slices.Contains(k.Roles, cloudapi.APIKeyRolesAdmin)
}

// openToAll: an entry whose prefix has length 0 (0.0.0.0/0, ::/0).
func openToAll(list []cloudapi.IPAccessListEntry) bool {
	for _, e := range list {
		if p, err := netip.ParsePrefix(strings.TrimSpace(deref(e.Source))); err == nil && p.Bits() == 0 {
			return true
		}
	}
	return false
}

// days writes a duration of whole days as "90 days", others as Go does.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
