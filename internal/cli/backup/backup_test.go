package backup

import (
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/service"
)

func TestBackupsAndSchedule(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	if err := service.RunCreate(ctx, &service.CreateOptions{F: env.F, Name: "db", Provider: "aws", Region: "us-east-1", Wait: true}); err != nil {
		t.Fatal(err)
	}
	var created struct{ Service struct{ ID string } }
	env.DecodeOut(t, &created)
	id := created.Service.ID
	run := env.Runner(NewCommand)
	if err := run("list", id); err != nil {
		t.Fatal(err)
	}
	var backups []struct{ ID string }
	env.DecodeOut(t, &backups)
	if len(backups) > 0 {
		if err := run("get", id, backups[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	env.Out.Reset()
	period, retention, start := 12.0, 72.5, "03:30"
	bodies := env.Bodies()
	if err := RunConfigSet(ctx, &ConfigSetOptions{F: env.F, ServiceID: id, RetentionHours: &retention, StartTime: &start}); err != nil {
		t.Fatal(err)
	}
	if err := RunConfigSet(ctx, &ConfigSetOptions{F: env.F, ServiceID: id, PeriodHours: &period}); err != nil {
		t.Fatal(err)
	}
	bodies.Want(t, `PATCH {"backupRetentionPeriodInHours":72.5,"backupStartTime":"03:30"}`, `PATCH {"backupPeriodInHours":12}`)
	if err := run("config", "get", id); err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		BackupPeriodInHours float64 `json:"backupPeriodInHours"`
	}
	if env.DecodeOut(t, &cfg); cfg.BackupPeriodInHours != 12 {
		t.Errorf("backup config get = %s, want period 12", env.Out)
	}
	clitest.WantUsage(t, map[string]error{"config set with nothing to change": RunConfigSet(ctx, &ConfigSetOptions{F: env.F, ServiceID: id})})
}
