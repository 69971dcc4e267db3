package bucket_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// Tests of the objects a move must carry as they are, or refuse at plan: keys with characters XML cannot
// carry, archived objects, objects encrypted with the customer's key, and what a copy would otherwise change.

// hostileKeys are keys an S3 listing cannot carry in XML as they are: control characters (U+0001, U+001F), a
// carriage return (which XML reads as a line feed), next to keys whose URL encoding must not be decoded twice
// (a '+', a space, a '%41').
var hostileKeys = []string{
	"ctl/\x01start",
	"ctl/unit\x1fseparator",
	"ctl/carriage\rreturn",
	"ctl/plus+and space",
	"ctl/percent%41",
	"plain.txt",
}

// objectBodies reads every key of keys from bucket and returns its content; a key that cannot be read fails
// the test's check.
func objectBodies(t *testing.T, bucket string, keys []string) (map[string]string, error) {
	bodies := map[string]string{}
	for _, k := range keys {
		out, err := acctest.S3(t, acctest.Region).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			return nil, fmt.Errorf("getting %q from %s: %w", k, bucket, err)
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			return nil, err
		}
		bodies[k] = string(b)
	}
	return bodies, nil
}

// TestAccBucket_moveCarriesKeysWithControlCharacters: keys with control characters must move byte-exact,
// each with its content, and the old bucket must be emptied and deleted; the plan must read the bucket too.
func TestAccBucket_moveCarriesKeysWithControlCharacters(t *testing.T) {
	prefix := movePrefix()
	var names []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: moveConfig("", prefix, "move tests", 30, true), Check: captureBucket(&names)},
			{
				PreConfig: func() {
					for _, k := range hostileKeys {
						acctest.PutObject(t, names[0], k, "body of "+k, nil)
					}
				},
				Config: moveConfig("", prefix, "move tests", 31, true),
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), func(s *terraform.State) error {
					if err := acctest.CheckBucketGone(t, names[0])(s); err != nil {
						return err
					}
					versions, markers := acctest.AllVersions(t, names[1])
					var got []string
					for _, v := range versions {
						got = append(got, aws.ToString(v.Key))
					}
					slices.Sort(got)
					want := slices.Sorted(slices.Values(hostileKeys))
					if !slices.Equal(got, want) || len(markers) != 0 {
						return fmt.Errorf("bucket %s lists keys %q and %d delete markers, want exactly %q", names[1], got, len(markers), want)
					}
					bodies, err := objectBodies(t, names[1], hostileKeys)
					if err != nil {
						return err
					}
					for _, k := range hostileKeys {
						if bodies[k] != "body of "+k {
							return fmt.Errorf("object %q holds %q, want %q", k, bodies[k], "body of "+k)
						}
					}
					return nil
				}),
			},
			forceDestroyStep(moveConfig("", prefix, "move tests", 31, true)),
		},
	})
}
