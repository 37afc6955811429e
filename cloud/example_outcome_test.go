package cloud_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// Create a service whose answer is lost, and find out whether it was created before sending the
// create again (which could make a duplicate). Here the fake server creates the service and then
// drops the connection, as a network failure after the request would.
func ExampleClient_FindCreated() {
	srv := cloudtest.NewServer(cloudtest.WithFault("instanceCreate", cloudtest.Fault{Drop: true, Times: 1}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, err := cloud.New(cloud.WithCredentials(srv.KeyID, srv.KeySecret), cloud.WithBaseURL(srv.URL),
		cloud.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	org := srv.OrganizationID

	_, err = cloud.Result(c.InstanceCreateWithResponse(ctx, org,
		cloudapi.InstanceCreateJSONRequestBody{Name: ptr("analytics"),
			Provider: ptr(cloudapi.ServicePostRequestProviderAWS), Region: ptr(cloudapi.ServicePostRequestRegionUsEast1)}))
	var lost *cloud.OutcomeUnknownError
	switch {
	case errors.As(err, &lost):
		fmt.Println("answer lost:", lost.Method, "after the request was sent")
		found, err := c.FindCreated(ctx, cloud.CreatedQuery{Kind: cloud.KindService, OrgID: org,
			Name: "analytics", Since: lost.Started})
		if err != nil {
			log.Fatal(err) // still unknown: look again before creating anything
		}
		switch len(found) {
		case 0:
			fmt.Println("not created: safe to send again")
		case 1:
			// The default user's password was only in the lost answer: reset it
			// (InstancePasswordUpdate) or delete the service.
			fmt.Println("created as", found[0].Name, "- its password was lost")
		default:
			fmt.Println("created, but", len(found), "services have that name")
		}
	case cloud.IsNotSent(err):
		fmt.Println("not sent: safe to send again")
	case err != nil:
		log.Fatal(err)
	}
	// Output:
	// answer lost: POST after the request was sent
	// created as analytics - its password was lost
}
