package cloudtest_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// A test starts the fake, points a client at it, and drives time with a ManualClock.
func ExampleNewServer() {
	clock := cloudtest.NewManualClock(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	srv := cloudtest.NewServer(cloudtest.WithClock(clock), cloudtest.WithProvisioningDelay(3*time.Minute))
	defer srv.Close()

	client, _ := cloudapi.NewClientWithResponses(srv.URL, cloudapi.WithRequestEditorFn(
		func(_ context.Context, r *http.Request) error {
			r.SetBasicAuth(srv.KeyID, srv.KeySecret)
			return nil
		}))
	ctx := context.Background()
	name, provider, region := "demo", cloudapi.ServicePostRequestProvider("aws"), cloudapi.ServicePostRequestRegion("us-east-1")
	created, _ := client.InstanceCreateWithResponse(ctx, srv.OrganizationID,
		cloudapi.ServicePostRequest{Name: &name, Provider: &provider, Region: &region})
	id := *created.JSON200.Result.Service.ID
	fmt.Println(*created.JSON200.Result.Service.State, created.HTTPResponse.Header.Get("X-Chcloud-Fake"))

	clock.Advance(3 * time.Minute)
	got, _ := client.InstanceGetWithResponse(ctx, srv.OrganizationID, id)
	fmt.Println(*got.JSON200.Result.State)
	// Output:
	// provisioning 0.1.0
	// running
}

// The quirks of the real API are on by default; a test can turn off the ones it does not want,
// or all of them for a server that answers as the document says.
func ExampleWithQuirks() {
	likeReal := cloudtest.NewServer()
	defer likeReal.Close()
	exact := cloudtest.NewServer(cloudtest.WithoutQuirks())
	defer exact.Close()
	noEmptyDeletes := cloudtest.NewServer(cloudtest.WithQuirks(cloudtest.AllQuirks &^ cloudtest.QuirkDeleteShapes))
	defer noEmptyDeletes.Close()

	fmt.Println(likeReal.Quirks() == cloudtest.AllQuirks, exact.Quirks())
	fmt.Println(noEmptyDeletes.Quirks().Has(cloudtest.QuirkDeleteShapes), noEmptyDeletes.Quirks().Has(cloudtest.QuirkBareTooManyRequests))
	// Output:
	// true none
	// false true
}
