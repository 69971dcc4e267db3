// Command awspartitions writes aws_partitions.json, the AWS partitions and their regions as the AWS SDK for
// Go v2 knows them, from the SDK's own partition metadata in the module cache.
//
// The SDK keeps that metadata (internal/endpoints/awsrulesfn/partitions.json) in an internal package that
// the provider cannot import, so a trimmed copy is committed next to the jurisdiction data and regenerated
// with `go generate ./internal/jurisdiction` whenever go.mod moves the SDK. The copy lets the provider say
// which partition a region it has no data for belongs to, and lets a test prove that every region the SDK
// knows is either classified or named as not covered, so a new AWS region cannot slip through unnoticed.
package main

import (
	"fmt"
	"os"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction/awspartitions"
)

func main() {
	out := "aws_partitions.json"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := awspartitions.Generate(out); err != nil {
		fmt.Fprintln(os.Stderr, "awspartitions:", err)
		os.Exit(1)
	}
}
