// Command testca writes a throw-away CA and a server certificate for 127.0.0.1 into the directory it is
// given, for scripts (make demo) that run the emulator over TLS as the acceptance tests do.
package main

import (
	"fmt"
	"os"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest/testca"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: testca DIR (writes DIR/ca.pem, DIR/cert.pem, DIR/key.pem)")
		os.Exit(2)
	}
	if _, err := testca.Write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "testca:", err)
		os.Exit(1)
	}
}
