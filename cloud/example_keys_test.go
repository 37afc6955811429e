package cloud_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloudtest"
)

// exampleKeyServer starts a fake server on a manual clock and returns it with a way to sign in
// to it with any key, and what to call when done.
func exampleKeyServer() (*cloudtest.Server, *cloudtest.ManualClock, func(keyID, keySecret string) *cloud.Client, func()) {
	clock := cloudtest.NewManualClock(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	srv := cloudtest.NewServer(cloudtest.WithClock(clock))
	tr := &http.Transport{}
	connect := func(keyID, keySecret string) *cloud.Client {
		c, err := cloud.New(cloud.WithCredentials(keyID, keySecret), cloud.WithBaseURL(srv.URL),
			cloud.WithHTTPClient(&http.Client{Transport: tr}))
		if err != nil {
			log.Fatal(err)
		}
		return c
	}
	return srv, clock, connect, func() { tr.CloseIdleConnections(); srv.Close() }
}

// Rotate the key the client signs in with: the new key gets the same roles and IP access list,
// is proven to work, is saved (here: printed), and only then is the old key disabled. A failed
// step says what became of both keys.
func ExampleClient_RotateKey() {
	srv, clock, connect, done := exampleKeyServer()
	defer done()
	ctx := context.Background()
	c := connect(srv.KeyID, srv.KeySecret)
	org := srv.OrganizationID

	// The key's UUID: here the one key of the organization; in a program, from the key list.
	keys, err := cloud.Result(c.OpenapiKeyGetListWithResponse(ctx, org))
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.RotateKey(ctx, cloud.KeyRotation{
		OrganizationID: org,
		KeyID:          *keys[0].ID,
		Now:            clock.Now(), // the fake's time; leave it zero against the real API
		SaveCredential: func(_ context.Context, keyID, keySecret string) error {
			// Store the new credential where its users read it (a vault, a CI secret).
			fmt.Println("saved the new credential")
			return nil
		},
	})
	var failed *cloud.KeyRotationError
	switch {
	case errors.As(err, &failed):
		// The old key still works unless failed.OldKeyEnabled is false; a new key that was not
		// deleted is in failed.NewKeyID and failed.NewKeySecret.
		log.Fatalf("rotation stopped at %s: %v", failed.Step, err)
	case err != nil:
		log.Fatal(err) // nothing was changed
	}
	fmt.Println("new key:", *res.NewKey.Name)
	fmt.Println("old key:", res.OldKeyState)

	err = cloud.Check(connect(srv.KeyID, srv.KeySecret).OrganizationGetListWithResponse(ctx))
	fmt.Println("old credential refused:", cloud.IsUnauthorized(err))
	err = cloud.Check(connect(res.NewKeyID, res.NewKeySecret).OrganizationGetListWithResponse(ctx))
	fmt.Println("new credential works:", err == nil)
	// Output:
	// saved the new credential
	// new key: fake-admin-key (rotated 2026-12-04)
	// old key: disabled
	// old credential refused: true
	// new credential works: true
}

// Audit the organization's keys: one finding per key and rule broken, most serious first. The
// fake's clock is moved 95 days instead of waiting: a key used then is now unused.
func ExampleClient_AuditKeys() {
	srv, clock, connect, done := exampleKeyServer()
	defer done()
	ctx := context.Background()
	c := connect(srv.KeyID, srv.KeySecret)
	org := srv.OrganizationID

	created, err := cloud.Result(c.OpenapiKeyCreateWithBodyWithResponse(ctx, org, "application/json", strings.NewReader(
		`{"name":"ci","roles":["developer"],"expireAt":"2027-03-15T00:00:00Z","ipAccessList":[{"source":"203.0.113.0/24"}]}`)))
	if err != nil {
		log.Fatal(err)
	}
	if err := cloud.Check(connect(*created.KeyID, *created.KeySecret).OrganizationGetListWithResponse(ctx)); err != nil {
		log.Fatal(err)
	}
	clock.Advance(95 * 24 * time.Hour)

	findings, err := c.AuditKeys(ctx, org, cloud.KeyAuditOptions{Now: clock.Now()})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range findings {
		mark := ""
		if f.Current {
			mark = " (this client's key)"
		}
		fmt.Printf("%-8s %-20s %s%s\n", f.Level, f.Rule, f.KeyName, mark)
	}
	// Output:
	// critical admin-no-expiry-open fake-admin-key (this client's key)
	// warning  expiring             ci
	// warning  unused               ci
}

// The rules AuditKeys applies, as a CLI's help would list them.
func ExampleKeyAuditRules() {
	for _, r := range cloud.KeyAuditRules {
		fmt.Printf("%-8s %s\n", r.Level, r.ID)
	}
	// Output:
	// critical expired-enabled
	// critical admin-no-expiry-open
	// warning  expiring
	// warning  admin-no-expiry
	// warning  open-to-all
	// warning  unused
	// warning  too-many-admins
	// info     never-used
	// info     delete-candidate
}
