// Command hello is the floor for BenchmarkStartup: a Go program that links nothing but the runtime
// and os, so its start-up time is process creation plus the Go runtime on this machine.
package main

import "os"

func main() { os.Stdout.WriteString("hello\n") }
