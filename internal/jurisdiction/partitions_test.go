package jurisdiction

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction/awspartitions"
)

// notYetInReferences are regions of the public aws partition that the SDK lists but the project's
// reference facts (shared/references.md) do not place yet. They stay unknown, never guessed: each needs its
// country from a public source in references.md, then an entry in data.json, and then leaves this list.
var notYetInReferences = map[string]bool{}

// TestAWSPartitions_everySDKRegionIsClassifiedOrNamedUncovered walks every region the AWS SDK the provider
// is built with knows. Each must resolve to a country, or fail with the error that names its isolated
// partition as not covered, or be listed in notYetInReferences: an AWS region added to the SDK (and so
// usable by the provider) fails this test until someone decides what it is.
func TestAWSPartitions_everySDKRegionIsClassifiedOrNamedUncovered(t *testing.T) {
	var classified, isolated, pending int
	for _, p := range AWSPartitions() {
		for _, name := range p.Regions {
			_, err := Lookup("aws", name)
			var le *LookupError
			switch {
			case err == nil:
				classified++
				if notYetInReferences[name] {
					t.Errorf("%s is classified now: remove it from notYetInReferences", name)
				}
			case p.Isolated() && errors.As(err, &le) && le.Partition == p.ID &&
				strings.Contains(err.Error(), "isolated partition "+p.ID) && strings.Contains(err.Error(), "not covered"):
				isolated++
			case notYetInReferences[name]:
				pending++
			default:
				t.Errorf("aws region %s (partition %s) is neither classified nor named as not covered: %v", name, p.ID, err)
			}
		}
	}
	if classified < 41 || isolated != 7 {
		t.Errorf("%d regions classified, %d named as isolated; want at least 41 and 7", classified, isolated)
	}
	t.Logf("%d classified, %d in isolated partitions, %d not yet in the references", classified, isolated, pending)
}

// TestLookup_isolatedRegionIsNamedNotCovered covers a region that the SDK does not list yet but whose name
// follows an isolated partition's pattern: it is reported as that partition's, not as a typo.
func TestLookup_isolatedRegionIsNamedNotCovered(t *testing.T) {
	_, err := Lookup("aws", "us-isob-north-9")
	if !errors.Is(err, ErrUnknownRegion) {
		t.Fatalf("err = %v, want ErrUnknownRegion", err)
	}
	want := `aws region "us-isob-north-9" is in the isolated partition aws-iso-b; isolated AWS partitions (aws-iso, aws-iso-b, aws-iso-e, aws-iso-f) are not covered by the provider's jurisdiction data`
	if err.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", err, want)
	}
}

// TestAWSPartitions_copyMatchesTheSDK regenerates aws_partitions.json from the SDK version go.mod selects,
// as go generate does, and fails when the committed copy differs: after an SDK upgrade, run
// `go generate ./internal/jurisdiction`.
func TestAWSPartitions_copyMatchesTheSDK(t *testing.T) {
	listed, err := exec.Command("go", "list", "-m", "-f", "{{.Version}} {{.Dir}}", awspartitions.SDKModule).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", awspartitions.SDKModule, err)
	}
	version, dir, _ := strings.Cut(strings.TrimSpace(string(listed)), " ")
	if dir == "" {
		t.Fatalf("%s@%s is not in the module cache; run go mod download", awspartitions.SDKModule, version)
	}
	raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(awspartitions.SDKFile)))
	if err != nil {
		t.Fatal(err)
	}
	want, err := awspartitions.Convert(raw, awspartitions.SDKModule+"@"+version+"/"+awspartitions.SDKFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rawPartitions, want) {
		t.Errorf("aws_partitions.json is not what %s@%s lists: run go generate ./internal/jurisdiction", awspartitions.SDKModule, version)
	}
}
