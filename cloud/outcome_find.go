package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CreatedKind names a kind of resource FindCreated can look for.
type CreatedKind string

// The kinds FindCreated knows: each is listed by its own operation and told apart by its name
// (an invitation by its email address).
const (
	KindService    CreatedKind = "service"    // instanceCreate; found in instanceGetList by name
	KindKey        CreatedKind = "key"        // openapiKeyCreate; openapiKeyGetList by name
	KindClickPipe  CreatedKind = "clickpipe"  // clickPipeCreate; clickPipeGetList of ServiceID by name
	KindPostgres   CreatedKind = "postgres"   // postgresServiceCreate; postgresServiceGetList by name
	KindInvitation CreatedKind = "invitation" // invitationCreate; invitationGetList by email
	KindRole       CreatedKind = "role"       // organizationRolePost; organizationRolesGetList by name
	// KindBackupBucket is the one backup bucket of ServiceID (backupBucketGet). It has neither
	// name nor creation time: a bucket found may be older than the call.
	KindBackupBucket CreatedKind = "backupBucket"
)

// DefaultClockSkew is how far FindCreated lets a creation time reach before CreatedQuery.Since:
// the server stamps creation with its clock, Since comes from the caller's, and the API gives
// creation times to the second.
const DefaultClockSkew = time.Minute

// CreatedQuery says what a create whose answer was lost asked for.
type CreatedQuery struct {
	Kind  CreatedKind
	OrgID string
	// ServiceID is the parent service of a ClickPipe or a backup bucket.
	ServiceID string
	// Name is the name the create sent (for KindInvitation: the email address, compared without
	// regard to case because the API stores it in lower case). Empty matches every name.
	Name string
	// Since is when the create call began (OutcomeUnknownError.Started, or the caller's own
	// time.Now() before the call); what was created before it is not what the call made. Zero
	// matches any creation time.
	Since time.Time
	// ClockSkew widens Since for the difference between the clocks; 0 means DefaultClockSkew.
	ClockSkew time.Duration
}

// Created is a resource FindCreated found.
type Created struct {
	Kind CreatedKind
	ID   string
	// Name is the resource's name (an invitation's email address).
	Name string
	// CreatedAt is the server's creation time, zero when the API gives none.
	CreatedAt time.Time
	// Raw is the resource exactly as the API listed it (never with a one-time secret: lists do
	// not carry them).
	Raw json.RawMessage
}

// FindCreated looks for what a create may have made before its answer was lost
// (ErrOutcomeUnknown): the resources of q.Kind named q.Name and created since q.Since (less the
// clock skew), oldest first. None means the create did not take effect as far as the API shows
// now; a create the server is still working on may appear a moment later, so a caller that sees
// none after a timeout should look again before sending the create again. More than one means
// that something else created a namesake in the same minutes.
//
// A create's one-time secrets (a key's secret, a service's password) are never in what
// FindCreated returns: a key found must be deleted and created again, a service's password reset.
func (c *Client) FindCreated(ctx context.Context, q CreatedQuery) ([]Created, error) {
	if q.OrgID == "" {
		return nil, errors.New("cloud: FindCreated needs the organization ID")
	}
	if (q.Kind == KindClickPipe || q.Kind == KindBackupBucket) && q.ServiceID == "" {
		return nil, fmt.Errorf("cloud: FindCreated of a %s needs the service ID", q.Kind)
	}
	var body []byte
	var err error
	switch q.Kind {
	case KindService:
		body, err = rawBody(c.InstanceGetListWithResponse(ctx, q.OrgID, nil))
	case KindKey:
		body, err = rawBody(c.OpenapiKeyGetListWithResponse(ctx, q.OrgID))
	case KindClickPipe:
		body, err = rawBody(c.ClickPipeGetListWithResponse(ctx, q.OrgID, q.ServiceID))
	case KindPostgres:
		body, err = rawBody(c.PostgresServiceGetListWithResponse(ctx, q.OrgID))
	case KindInvitation:
		body, err = rawBody(c.InvitationGetListWithResponse(ctx, q.OrgID))
	case KindRole:
		body, err = rawBody(c.OrganizationRolesGetListWithResponse(ctx, q.OrgID))
	case KindBackupBucket:
		body, err = rawBody(c.BackupBucketGetWithResponse(ctx, q.OrgID, q.ServiceID))
		if IsNotFound(err) {
			return nil, nil
		}
	default:
		return nil, fmt.Errorf("cloud: FindCreated does not know the kind %q", q.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("cloud: looking for the %s created: %w", q.Kind, err)
	}
	items, err := resultItems(body)
	if err != nil {
		return nil, fmt.Errorf("cloud: looking for the %s created: %w", q.Kind, err)
	}
	return matchCreated(q, items), nil
}

// rawBody checks a generated response and returns its body as the server sent it (after the
// SDK's tolerant repairs), so Created.Raw keeps every field.
func rawBody(resp any, err error) ([]byte, error) {
	env, err := envelope(resp, err)
	if err != nil {
		return nil, err
	}
	return env.body, nil
}

// resultItems reads the result of a list, or of a single object (a backup bucket), as items.
func resultItems(body []byte) ([]json.RawMessage, error) {
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	r := bytes.TrimSpace(env.Result)
	switch {
	case len(r) == 0 || bytes.Equal(r, []byte("null")):
		return nil, nil
	case r[0] == '{':
		return []json.RawMessage{env.Result}, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(r, &items); err != nil {
		return nil, fmt.Errorf("reading the list: %w", err)
	}
	return items, nil
}

// matchCreated keeps the items that fit q, oldest first. Items whose creation time is missing
// or unreadable are kept when the name fits: dropping them could hide what the call made.
func matchCreated(q CreatedQuery, items []json.RawMessage) []Created {
	skew := q.ClockSkew
	if skew <= 0 {
		skew = DefaultClockSkew
	}
	var found []Created
	for _, raw := range items {
		var item struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			Email     string `json:"email"`
			CreatedAt string `json:"createdAt"`
		}
		if json.Unmarshal(raw, &item) != nil || item.ID == "" {
			continue
		}
		name := item.Name
		if q.Kind == KindInvitation {
			name = item.Email
		}
		if q.Name != "" && q.Kind != KindBackupBucket && !sameName(q.Kind, name, q.Name) {
			continue
		}
		created, _ := time.Parse(time.RFC3339, item.CreatedAt)
		if !q.Since.IsZero() && !created.IsZero() && created.Before(q.Since.Add(-skew)) {
			continue
		}
		found = append(found, Created{Kind: q.Kind, ID: item.ID, Name: name, CreatedAt: created, Raw: raw})
	}
	// Oldest first; stable so that the API's order decides between equal times.
	slices.SortStableFunc(found, func(a, b Created) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return found
}

func sameName(kind CreatedKind, got, want string) bool {
	if kind == KindInvitation {
		return strings.EqualFold(strings.TrimSpace(got), strings.TrimSpace(want))
	}
	return got == want
}
