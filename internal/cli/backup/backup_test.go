package backup

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/service"
)

func TestBackupsAndSchedule(t *testing.T) {
	env := clitest.New(t, false)
	ctx := context.Background()
	if err := service.RunCreate(ctx, &service.CreateOptions{F: env.F, Name: "db", Provider: "aws", Region: "us-east-1", Wait: true}); err != nil {
		t.Fatal(err)
	}
	var created struct{ Service struct{ ID string } }
	if err := json.Unmarshal(env.Out.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	id := created.Service.ID
	env.Out.Reset()
	if err := RunList(ctx, &ListOptions{F: env.F, ServiceID: id}); err != nil {
		t.Fatal(err)
	}
	var backups []struct{ ID string }
	if err := json.Unmarshal(env.Out.Bytes(), &backups); err != nil {
		t.Fatalf("backup list = %s: %v", env.Out, err)
	}
	if len(backups) > 0 {
		env.Out.Reset()
		if err := RunGet(ctx, &GetOptions{F: env.F, ServiceID: id, BackupID: backups[0].ID}); err != nil {
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
	env.Out.Reset()
	if err := RunConfigGet(ctx, &ConfigGetOptions{F: env.F, ServiceID: id}); err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		BackupPeriodInHours float64 `json:"backupPeriodInHours"`
	}
	if err := json.Unmarshal(env.Out.Bytes(), &cfg); err != nil || cfg.BackupPeriodInHours != 12 {
		t.Errorf("backup config get = %s (err %v), want period 12", env.Out, err)
	}
	if err := RunConfigSet(ctx, &ConfigSetOptions{F: env.F, ServiceID: id}); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("config set with nothing to change: %v, want a usage error", err)
	}
}
