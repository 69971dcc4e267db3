package server_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/server"
)

// TestAccServer_badInputs runs every bad input of gdpr_server through Terraform's plan; nothing may reach
// apply.
func TestAccServer_badInputs(t *testing.T) {
	acctest.RunBadInputs(t, badInputs(), 21)
}

// badInputs are configurations of gdpr_server that must fail at validate or plan time, each with its error.
func badInputs() []acctest.BadInput {
	valid := map[string]string{
		"image_id":      fmt.Sprintf("%q", acctest.LinuxImage),
		"instance_type": `"t3.micro"`,
	}
	tests := map[string]struct {
		attr, value, want string
		also              map[string]string
	}{
		"malformed image id":      {"image_id", `"ami-12345"`, `(?s)image_id.*must be an AMI id`, nil},
		"image id not hex":        {"image_id", `"ami-0123456z"`, `(?s)image_id.*must be an AMI id`, nil},
		"size 0":                  {"root_volume_size_gb", `0`, `(?s)root_volume_size_gb.*value must be between 1 and 16384, got: 0`, nil},
		"size 16385":              {"root_volume_size_gb", `16385`, `(?s)root_volume_size_gb.*value must be between 1 and 16384, got: 16385`, nil},
		"unknown volume type":     {"root_volume_type", `"st1"`, `(?s)root_volume_type.*value must be one of: \["gp2" "gp3" "io1" "io2"\],\s+got: "st1"`, nil},
		"bad subnet id":           {"subnet_id", `"subnet_1"`, `(?s)subnet_id.*must be a subnet id`, nil},
		"bad security group id":   {"security_group_ids", `["default"]`, `(?s)security_group_ids.*must be a security group id`, nil},
		"empty security groups":   {"security_group_ids", `[]`, `(?s)security_group_ids.*set must contain at least 1 elements`, nil},
		"empty instance type":     {"instance_type", `""`, `(?s)instance_type.*must be an EC2 instance type`, nil},
		"instance type with caps": {"instance_type", `"T3.micro"`, `(?s)instance_type.*must be an EC2 instance type`, nil},
		"key alias":               {"kms_key_arn", `"alias/server"`, `(?s)kms_key_arn.*must be the ARN of a KMS key`, nil},
		"io2 below 4 GiB": {"root_volume_type", `"io2"`, `(?s)Root volume too small.*root_volume_size_gb.*io2 volume must be at least 4 GiB`,
			map[string]string{"root_volume_size_gb": "3"}},
	}
	// user_data is written out as a heredoc-free literal: 16385 bytes, one more than EC2 takes.
	tests["user data over 16 KB"] = struct {
		attr, value, want string
		also              map[string]string
	}{"user_data", fmt.Sprintf("%q", strings.Repeat("u", 16385)), `(?s)user_data.*string length must be at most 16384, got: 16385`, nil}
	tests["user data over 16 KB in multi-byte characters"] = struct {
		attr, value, want string
		also              map[string]string
	}{"user_data", fmt.Sprintf("%q", strings.Repeat("é", 8193)), `(?s)user_data.*string length must be at most 16384, got: 16386`, nil}
	for name, tc := range acctest.TagBadInputs() {
		tests[name] = struct {
			attr, value, want string
			also              map[string]string
		}{"tags", tc.Tags, acctest.Wrapped(tc.Want), nil}
	}
	// An instance carries more of the provider's tags than a key or a bucket, so fewer of the user's fit.
	delete(tests, "51 tags")
	delete(tests, "50 tags, leaving no room for the creation marker")
	tests["48 tags, leaving no room for the provider's three"] = struct {
		attr, value, want string
		also              map[string]string
	}{"tags", acctest.ManyTags(48), acctest.Wrapped(`(?s)Too many tags.*48 tags are configured, and at most 47 are allowed: AWS allows 50 tags per resource, and the provider adds its own "gdpr:managed-by" tag to every server`), nil}
	tests["the managed-by tag"] = struct {
		attr, value, want string
		also              map[string]string
	}{"tags", `{ "gdpr:managed-by" = "gdpr_server" }`, acctest.Wrapped(`(?s)Reserved tag key.*The tag key "gdpr:managed-by" is the provider's own`), nil}
	var out []acctest.BadInput
	for name, tc := range tests {
		args := maps.Clone(valid)
		args[tc.attr] = tc.value
		maps.Copy(args, tc.also)
		out = append(out, acctest.BadInput{Kind: server.ResourceType, Name: name, Want: tc.want,
			Config: serverConfig(acctest.RenderArguments(slices.Sorted(maps.Keys(args)), args))})
	}
	return out
}
