package validate

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Region names of every partition pass; a stray space, a newline, upper case or another cloud's name fail,
// naming the value and the expected form, with the fix when one is plain.
func TestAWSRegion(t *testing.T) {
	for name, want := range map[string]string{
		"eu-central-1":   "",
		"us-gov-west-1":  "",
		"eu-isoe-west-1": "",
		"us-isob-east-1": "",
		"cn-north-1":     "",
		"ap-southeast-5": "",
		"eu-central-1 ":  `"eu-central-1 " is not an AWS region name: region names are lower-case words separated by hyphens and ending in a number, such as eu-central-1 or us-gov-west-1, with no spaces; write "eu-central-1".`,
		" eu-west-1\n":   `" eu-west-1\n" is not an AWS region name: region names are lower-case words separated by hyphens and ending in a number, such as eu-central-1 or us-gov-west-1, with no spaces; write "eu-west-1".`,
		"EU-WEST-1":      `; write "eu-west-1".`,
		"eu-central":     `"eu-central" is not an AWS region name: region names are lower-case words separated by hyphens and ending in a number, such as eu-central-1 or us-gov-west-1, with no spaces.`,
		"europe-west3":   `"europe-west3" is not an AWS region name`,
		"":               `"" is not an AWS region name`,
	} {
		resp := &validator.StringResponse{}
		AWSRegion().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("region"), ConfigValue: types.StringValue(name)}, resp)
		switch errs := resp.Diagnostics.Errors(); {
		case want == "" && len(errs) > 0:
			t.Errorf("%q: unexpected error %v", name, errs)
		case want != "" && len(errs) != 1:
			t.Errorf("%q: got %d errors, want 1", name, len(errs))
		case want != "" && (errs[0].Summary() != "Invalid AWS region" || !strings.Contains(errs[0].Detail(), want)):
			t.Errorf("%q: got %q: %q, want %q", name, errs[0].Summary(), errs[0].Detail(), want)
		}
	}
}
