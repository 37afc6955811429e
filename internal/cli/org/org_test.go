package org

import (
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

func TestGetUpdateActivitiesUsage(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	run := env.Runner(NewCommand)
	if err := run("get"); err != nil {
		t.Fatal(err)
	}
	var org map[string]any
	if env.DecodeOut(t, &org); org["id"] != env.Server.OrganizationID {
		t.Fatalf("org get = %s, want organization %s looked up from the key", env.Out, env.Server.OrganizationID)
	}
	bodies := env.Bodies()
	if err := run("update", "--name", "renamed org"); err != nil {
		t.Fatal(err)
	}
	bodies.Want(t, `PATCH {"name":"renamed org"}`)
	if env.DecodeOut(t, &org); org["name"] != "renamed org" {
		t.Fatalf("org update = %s", env.Out)
	}
	env.Out.Reset()
	if err := RunActivities(ctx, &ActivitiesOptions{F: env.F, From: "2026-01-01"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(strings.TrimSpace(env.Out.String()), "[") {
		t.Errorf("activities = %s, want a JSON list", env.Out)
	}
	env.Out.Reset()
	now := func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }
	if err := RunUsage(ctx, &UsageOptions{F: env.F, Now: now}); err != nil {
		t.Fatal(err)
	}
	var usage map[string]any
	env.DecodeOut(t, &usage)
	if _, ok := usage["costs"]; !ok {
		t.Errorf("usage has no costs: %v", usage)
	}
}

func TestBadDates(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	now := func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }
	clitest.WantUsage(t, map[string]error{
		"activities from":  RunActivities(ctx, &ActivitiesOptions{F: env.F, From: "yesterday"}),
		"usage range":      RunUsage(ctx, &UsageOptions{F: env.F, Now: now, From: "2026-01-01", To: "2026-03-01"}),
		"usage reversed":   RunUsage(ctx, &UsageOptions{F: env.F, Now: now, From: "2026-03-01", To: "2026-02-01"}),
		"usage not a date": RunUsage(ctx, &UsageOptions{F: env.F, Now: now, To: "11/25"}),
	})
}
