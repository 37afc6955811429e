package postgres

import (
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

func TestLifecycle(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	err := RunCreate(ctx, &CreateOptions{F: env.F, Name: "orders", Provider: "aws", Region: "us-east-1", Size: "c6gd.large", Version: "17", Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	var pg struct{ ID, Name, Password string }
	if env.DecodeOut(t, &pg); pg.Name != "orders" {
		t.Fatalf("postgres create = %s", env.Out)
	}
	run := env.Runner(NewCommand)

	env.F.Output.Format = "table"
	if err := run("get", pg.ID); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.Out.String(), "running") {
		t.Errorf("postgres get after create --wait:\n%s", env.Out)
	}
	if pg.Password != "" && strings.Contains(env.Out.String(), pg.Password) {
		t.Error("the table shows the password")
	}
	env.F.Output.Format = ""
	env.F.Yes = true
	if err := RunDelete(ctx, &DeleteOptions{F: env.F, PostgresID: pg.ID, Wait: true}); err != nil {
		t.Fatal(err)
	}
	if err := run("list"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(env.Out.String(), pg.ID) {
		t.Errorf("deleted service still listed:\n%s", env.Out)
	}
}

func TestBadInput(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	clitest.WantUsage(t, map[string]error{
		"ha type":      RunCreate(ctx, &CreateOptions{F: env.F, Name: "x", Provider: "aws", Region: "r", Size: "s", HAType: "double"}),
		"malformed id": env.Runner(NewCommand)("get", "pg-1"),
	})
}

// TestCreateBody pins the request bodies: the required fields always, the rest only when given.
func TestCreateBody(t *testing.T) {
	env := clitest.New(t, false)
	bodies := env.Bodies()
	ctx := t.Context()
	for _, o := range []CreateOptions{
		{Name: "a", Provider: "aws", Region: "us-east-1", Size: "c6gd.large"},
		{Name: "b", Provider: "aws", Region: "us-east-1", Size: "c6gd.large", Version: "17", HAType: "async", Tags: []string{"team=db", "bare"}},
	} {
		o.F = env.F
		if err := RunCreate(ctx, &o); err != nil {
			t.Fatal(err)
		}
	}
	bodies.Want(t,
		`POST {"name":"a","provider":"aws","region":"us-east-1","size":"c6gd.large"}`,
		`POST {"haType":"async","name":"b","postgresVersion":"17","provider":"aws","region":"us-east-1","size":"c6gd.large","tags":[{"key":"team","value":"db"},{"key":"bare"}]}`)
}
