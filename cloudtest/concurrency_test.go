package cloudtest_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// TestParallelClients has several clients create, read, list, stop and delete services at the
// same time (run it with -race): every call must succeed and every service must end up listed.
func TestParallelClients(t *testing.T) {
	s := cloudtest.NewServer(cloudtest.WithProvisioningDelay(0), cloudtest.WithTransitionDelay(0), cloudtest.WithDeleteCooldown(0))
	defer s.Close()
	ctx := context.Background()
	const clients, perClient = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, clients*perClient*4)
	created := make(chan string, clients*perClient)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := newClient(t, s)
			for i := range perClient {
				resp, err := cl.InstanceCreateWithResponse(ctx, s.OrganizationID, cloudapi.ServicePostRequest{
					Name: ptr(fmt.Sprintf("c%d-%d", c, i)), Provider: ptr(cloudapi.ServicePostRequestProvider("aws")),
					Region: ptr(cloudapi.ServicePostRequestRegion("us-east-2")),
				})
				if err != nil || resp.JSON200 == nil {
					errs <- fmt.Errorf("create: %v %v", err, resp)
					continue
				}
				id := *resp.JSON200.Result.Service.ID
				created <- id
				if g, err := cl.InstanceGetWithResponse(ctx, s.OrganizationID, id); err != nil || g.StatusCode() != 200 {
					errs <- fmt.Errorf("get %s: %v", id, err)
				}
				if l, err := cl.InstanceGetListWithResponse(ctx, s.OrganizationID, nil); err != nil || l.StatusCode() != 200 {
					errs <- fmt.Errorf("list: %v", err)
				}
				if _, err := cl.OrganizationGetWithResponse(ctx, s.OrganizationID); err != nil {
					errs <- fmt.Errorf("org: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(created)
	for err := range errs {
		t.Error(err)
	}
	ids := map[string]bool{}
	for id := range created {
		if ids[id] {
			t.Errorf("service ID %s handed out twice", id)
		}
		ids[id] = true
	}
	list, err := newClient(t, s).InstanceGetListWithResponse(ctx, s.OrganizationID, nil)
	if err != nil || list.StatusCode() != http.StatusOK {
		t.Fatal(err)
	}
	if len(list.JSON200.Result) != clients*perClient {
		t.Errorf("%d services listed, want %d", len(list.JSON200.Result), clients*perClient)
	}
}
