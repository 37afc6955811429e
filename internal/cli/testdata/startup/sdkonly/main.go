// Command sdkonly is the second baseline for BenchmarkStartup: cobra, the SDK, gojq and YAML,
// what chcloud would link without its validators (kin-openapi), fake server and spec differ.
package main

import (
	"fmt"
	"os"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/chcloud-dev/chcloud/cloud"
)

// Keep the packages linked, as the real commands would.
var (
	_ = cloud.New
	_ = gojq.Parse
	_ = yaml.Marshal
)

func main() {
	root := &cobra.Command{Use: "sdkonly"}
	root.AddCommand(&cobra.Command{Use: "version", Run: func(*cobra.Command, []string) { fmt.Println("sdkonly") }})
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
