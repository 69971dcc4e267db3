package main

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryKeepsOnlyCalledOperations builds the provider and counts the AWS SDK operations its binary
// holds. The linker drops an operation the provider never calls only while no service client is reachable
// from an interface value (see awsapi.hidden); one careless conversion brings back all of EC2's 800
// operations, doubling the binary and adding several MiB to every provider process.
func TestBinaryKeepsOnlyCalledOperations(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "terraform-provider-gdpr")
	if out, err := exec.Command("go", "build", "-trimpath", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	symbols, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	// Each limit is a little above what the provider calls, so a new call fits and a whole service does not.
	limits := map[string]int{
		"github.com/aws/aws-sdk-go-v2/service/ec2.(*Client).": 20,
		"github.com/aws/aws-sdk-go-v2/service/kms.(*Client).": 20,
	}
	for prefix, limit := range limits {
		var ops []string
		for _, s := range symbols {
			name, ok := strings.CutPrefix(s.Name, prefix)
			// Operations are exported methods; the client's own helpers are not.
			if ok && elf.ST_TYPE(s.Info) == elf.STT_FUNC && name != "" && name[0] >= 'A' && name[0] <= 'Z' && !strings.ContainsAny(name, ".-") {
				ops = append(ops, name)
			}
		}
		if len(ops) == 0 {
			t.Errorf("no %s operations found: the test no longer recognises the SDK's symbols", prefix)
		}
		if len(ops) > limit {
			t.Errorf("the binary holds %d operations of %s, more than %d: a service client is probably converted "+
				"to an interface somewhere (pass a method value instead, see internal/awsapi/adapters.go); first few: %s",
				len(ops), prefix, limit, strings.Join(ops[:min(8, len(ops))], ", "))
		}
	}
}
