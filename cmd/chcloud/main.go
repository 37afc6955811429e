// Command chcloud is the command-line tool for the ClickHouse Cloud API. The commands live in
// internal/cli; this file only connects them to the process.
package main

import (
	"os"

	"github.com/chcloud-dev/chcloud/internal/cli"
	"github.com/chcloud-dev/chcloud/internal/cli/iostreams"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], iostreams.System(), os.Getenv))
}
