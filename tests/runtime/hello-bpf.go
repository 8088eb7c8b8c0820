// hello-bpf.go - the Go workload of the seed example: main.main sleeps a
// known time (300 ms), so a uprobe/uretprobe pair on it can be checked.
package main

import (
	"fmt"
	"time"
)

func main() {
	time.Sleep(300 * time.Millisecond)
	fmt.Println("Hello from Go")
}
