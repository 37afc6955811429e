package cloudtest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// newClient returns a generated client authenticated against s.
func newClient(t testing.TB, s *cloudtest.Server) *cloudapi.ClientWithResponses {
	t.Helper()
	c, err := cloudapi.NewClientWithResponses(s.URL, cloudapi.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.SetBasicAuth(s.KeyID, s.KeySecret)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func stateOf(s *cloudapi.Service) string {
	if s == nil || s.State == nil {
		return ""
	}
	return string(*s.State)
}

// TestServiceLifecycle drives a service through create -> provisioning -> running -> stop ->
// stopped -> delete (409 while too early) -> terminating -> gone, with the generated client and
// a manual clock instead of sleeps.
func TestServiceLifecycle(t *testing.T) {
	clock := cloudtest.NewManualClock(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	s := cloudtest.NewServer(cloudtest.WithClock(clock),
		cloudtest.WithProvisioningDelay(5*time.Minute),
		cloudtest.WithTransitionDelay(time.Minute),
		cloudtest.WithDeleteCooldown(30*time.Second))
	defer s.Close()
	c := newClient(t, s)
	ctx := context.Background()
	org := s.OrganizationID

	state := func(id string) (int, string) {
		t.Helper()
		resp, err := c.InstanceGetWithResponse(ctx, org, id)
		if err != nil {
			t.Fatal(err)
		}
		if resp.JSON200 == nil || resp.JSON200.Result == nil {
			return resp.StatusCode(), ""
		}
		return resp.StatusCode(), stateOf(resp.JSON200.Result)
	}
	del := func(id string) int {
		t.Helper()
		resp, err := c.InstanceDeleteWithResponse(ctx, org, id)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode()
	}

	created, err := c.InstanceCreateWithResponse(ctx, org, cloudapi.ServicePostRequest{
		Name:     ptr("lifecycle"),
		Provider: ptr(cloudapi.ServicePostRequestProvider("aws")),
		Region:   ptr(cloudapi.ServicePostRequestRegion("eu-west-1")),
		Tags:     []cloudapi.ResourceTagsV1{{Key: "team", Value: ptr("sdk")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if created.JSON200 == nil || created.JSON200.Result == nil || created.JSON200.Result.Service == nil {
		t.Fatalf("create: status %d body %s", created.StatusCode(), created.Body)
	}
	if created.HTTPResponse.Header.Get(cloudtest.HeaderFake) != cloudtest.Version {
		t.Errorf("missing %s header", cloudtest.HeaderFake)
	}
	res := created.JSON200.Result
	if res.Password == nil || *res.Password == "" {
		t.Error("create did not return the password")
	}
	svc := res.Service
	if stateOf(svc) != "provisioning" || svc.Name == nil || *svc.Name != "lifecycle" || svc.Region == nil || *svc.Region != "eu-west-1" {
		t.Fatalf("created service: state %q name %v region %v", stateOf(svc), svc.Name, svc.Region)
	}
	id := *svc.ID

	if code, st := state(id); code != 200 || st != "provisioning" {
		t.Fatalf("before the delay: %d %q", code, st)
	}
	if code := del(id); code != http.StatusConflict {
		t.Fatalf("delete while provisioning: %d, want 409", code)
	}
	clock.Advance(5 * time.Minute)
	if _, st := state(id); st != "running" {
		t.Fatalf("after the provisioning delay: %q, want running", st)
	}

	stop, err := c.InstanceStateUpdateWithResponse(ctx, org, id, cloudapi.ServiceStatePatchRequest{Command: ptr(cloudapi.ServiceStatePatchRequestCommandStop)})
	if err != nil {
		t.Fatal(err)
	}
	if stop.JSON200 == nil || stateOf(stop.JSON200.Result) != "stopping" {
		t.Fatalf("stop answered %d %s", stop.StatusCode(), stop.Body)
	}
	clock.Advance(time.Minute)
	if _, st := state(id); st != "stopped" {
		t.Fatalf("after stopping: %q", st)
	}
	if code := del(id); code != http.StatusConflict {
		t.Fatalf("delete right after stopped: %d, want 409 (cooldown)", code)
	}
	clock.Advance(30 * time.Second)
	if code := del(id); code != 200 {
		t.Fatalf("delete after the cooldown: %d", code)
	}
	if _, st := state(id); st != "terminating" {
		t.Fatalf("after delete: %q, want terminating", st)
	}
	clock.Advance(time.Minute)
	if code, _ := state(id); code != http.StatusNotFound {
		t.Fatalf("after terminating: status %d, want 404", code)
	}
	list, err := c.InstanceGetListWithResponse(ctx, org, nil)
	if err != nil || list.JSON200 == nil {
		t.Fatalf("list: %v", err)
	}
	if n := len(list.JSON200.Result); n != 0 {
		t.Errorf("list after delete has %d services", n)
	}
}
