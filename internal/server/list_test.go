package server_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestAccServerList_findsUnmanagedAndNonCompliant lists instances whose Name tags share a prefix: one the
// provider launched, one launched by the SDK with every guarantee, one with IMDSv1 allowed, one an
// interrupted apply left half-made; a terminated one and one in another region must not appear. Each
// filter must narrow the results to exactly the instances it names.
func TestAccServerList_findsUnmanagedAndNonCompliant(t *testing.T) {
	prefix := randomName(t)
	name := func(s string) string { return prefix + "-" + s }
	keyARN := createKeyARN(t, "server list tests")
	launch := func(region, named string, personal bool, change func(*ec2.RunInstancesInput)) string {
		in := compliantLaunch(keyARN, named, personal)
		if change != nil {
			change(in)
		}
		if region == acctest.Region {
			return runInstance(t, in)
		}
		c := acctest.EC2(t, region)
		in.MinCount, in.MaxCount = aws.Int32(1), aws.Int32(1)
		out, err := c.RunInstances(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(out.Instances[0].InstanceId)
		t.Cleanup(func() {
			_, _ = c.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
		})
		return id
	}
	sdkOK := launch(acctest.Region, name("sdk-ok"), true, nil)
	imdsv1 := launch(acctest.Region, name("imdsv1"), true, func(in *ec2.RunInstancesInput) {
		in.MetadataOptions.HttpTokens = ec2types.HttpTokensStateOptional
	})
	halfMade := launch(acctest.Region, name("halfmade"), false, func(in *ec2.RunInstancesInput) {
		in.TagSpecifications[0].Tags = append(in.TagSpecifications[0].Tags,
			ec2types.Tag{Key: aws.String(awsapi.CreatingTag), Value: aws.String("list-test")})
	})
	gone := launch(acctest.Region, name("terminated"), true, nil)
	if _, err := acctest.EC2(t, acctest.Region).TerminateInstances(context.Background(),
		&ec2.TerminateInstancesInput{InstanceIds: []string{gone}}); err != nil {
		t.Fatal(err)
	}
	launch("eu-west-1", name("elsewhere"), true, nil)

	byServer := func(id string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
			"account_id": knownvalue.NotNull(), "region": knownvalue.StringExact(acctest.Region), "id": knownvalue.StringExact(id),
		})
	}
	display := func(list, id, named, want string) querycheck.QueryResultCheck {
		return querycheck.ExpectResourceDisplayName(list, byServer(id),
			knownvalue.StringExact(fmt.Sprintf("%s %q (EU, eu-central-1): %s", id, named, want)))
	}
	broken := func(list, id string, want ...string) querycheck.QueryResultCheck {
		checks := []knownvalue.Check{}
		for _, w := range want {
			checks = append(checks, knownvalue.StringExact(w))
		}
		return querycheck.ExpectResourceKnownValues(list, byServer(id), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("guarantees_broken"), KnownValue: knownvalue.ListExact(checks)},
			{Path: tfjsonpath.New("kms_key_arn"), KnownValue: knownvalue.StringExact(keyARN)},
		})
	}

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ListResources},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: serverConfig(fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.micro"
  tags          = { Name = %q, "gdpr-personal-data" = "true" }
`, acctest.LinuxImage, name("managed"))),
			},
			{
				Query: true,
				// The query runs beside the configuration of the first step, whose provider block it uses.
				Config: fmt.Sprintf(`
list "gdpr_server" "all" {
  provider         = gdpr
  include_resource = true
  config {
    name_prefix = %[1]q
  }
}

list "gdpr_server" "non_compliant" {
  provider = gdpr
  config {
    name_prefix        = %[1]q
    non_compliant_only = true
  }
}

list "gdpr_server" "personal" {
  provider = gdpr
  config {
    name_prefix = %[1]q
    tags        = { "gdpr-personal-data" = "true" }
  }
}

list "gdpr_server" "personal_non_compliant" {
  provider = gdpr
  config {
    name_prefix        = %[1]q
    tags               = { "gdpr-personal-data" = "true" }
    non_compliant_only = true
  }
}
`, prefix+"-"),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("gdpr_server.all", 4),
					querycheck.ExpectResourceDisplayName("gdpr_server.all",
						queryfilter.ByDisplayName(knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(name("managed"))))),
						knownvalue.StringRegexp(regexp.MustCompile(`^i-[0-9a-f]+ "`+regexp.QuoteMeta(name("managed"))+`" \(EU, eu-central-1\): compliant$`))),
					display("gdpr_server.all", sdkOK, name("sdk-ok"), "compliant"),
					display("gdpr_server.all", imdsv1, name("imdsv1"), "breaks: metadata_options"),
					display("gdpr_server.all", halfMade, name("halfmade"), "left half-made by an interrupted apply"),
					broken("gdpr_server.all", sdkOK),
					broken("gdpr_server.all", imdsv1, "metadata_options"),
					broken("gdpr_server.all", halfMade),

					querycheck.ExpectLength("gdpr_server.non_compliant", 2),
					querycheck.ExpectLength("gdpr_server.personal", 3),
					querycheck.ExpectLength("gdpr_server.personal_non_compliant", 1),
					display("gdpr_server.personal_non_compliant", imdsv1, name("imdsv1"), "breaks: metadata_options"),
				},
			},
		},
	})
}

// compliantLaunch is a launch request with every guarantee the provider gives a server, named by its Name
// tag, and tagged as holding personal data when personal is true.
func compliantLaunch(keyARN, name string, personal bool) *ec2.RunInstancesInput {
	tags := []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}
	if personal {
		tags = append(tags, ec2types.Tag{Key: aws.String("gdpr-personal-data"), Value: aws.String("true")})
	}
	return &ec2.RunInstancesInput{
		ImageId:      aws.String(acctest.LinuxImage),
		InstanceType: ec2types.InstanceTypeT3Micro,
		BlockDeviceMappings: []ec2types.BlockDeviceMapping{{
			DeviceName: aws.String("/dev/xvda"),
			Ebs: &ec2types.EbsBlockDevice{Encrypted: aws.Bool(true), KmsKeyId: &keyARN, DeleteOnTermination: aws.Bool(true),
				VolumeSize: aws.Int32(8), VolumeType: ec2types.VolumeTypeGp3},
		}},
		MetadataOptions: &ec2types.InstanceMetadataOptionsRequest{HttpTokens: ec2types.HttpTokensStateRequired,
			HttpPutResponseHopLimit: aws.Int32(1), HttpEndpoint: ec2types.InstanceMetadataEndpointStateEnabled},
		NetworkInterfaces:                 []ec2types.InstanceNetworkInterfaceSpecification{{DeviceIndex: aws.Int32(0), AssociatePublicIpAddress: aws.Bool(false)}},
		InstanceInitiatedShutdownBehavior: ec2types.ShutdownBehaviorStop,
		TagSpecifications:                 []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: tags}},
	}
}

// terraform query -generate-config-out writes, for instances made outside Terraform, import blocks by
// identity and resources that validate; the plan adopts the compliant one as it is and replaces the one
// that accepts IMDSv1 tokens, saying why.
func TestAccServerList_generatedConfigImports(t *testing.T) {
	acctest.RequireEmulator(t)
	acctest.Require(t, acctest.ListResources)
	prefix := randomName(t)
	keyARN := createKeyARN(t, "generated config")
	ok := runInstance(t, compliantLaunch(keyARN, prefix+"-ok", true))
	imdsv1 := compliantLaunch(keyARN, prefix+"-imdsv1", true)
	imdsv1.MetadataOptions.HttpTokens = ec2types.HttpTokensStateOptional
	legacy := runInstance(t, imdsv1)

	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+acctest.ProviderConfig(acctest.Region, ""))
	out, generated := w.Query(fmt.Sprintf(`
list "gdpr_server" "found" {
  provider         = gdpr
  include_resource = true
  config {
    name_prefix = %q
  }
}
`, prefix+"-"))
	for _, id := range []string{ok, legacy} {
		if !strings.Contains(out, id) || !regexp.MustCompile(`(?s)identity\s*=\s*\{[^}]*\bid\s*=\s*"`+id+`"`).MatchString(generated) {
			t.Errorf("query output or generated import blocks lack %s:\n%s\n%s", id, out, generated)
		}
	}
	plan, err := acctest.Plan(t, w)
	if err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, plan)
	}
	for _, want := range []string{"Plan: 2 to import, 1 to add, 0 to change, 1 to destroy.", "must be replaced", "does not require IMDSv2 session tokens"} {
		if !strings.Contains(plan, want) {
			t.Errorf("the plan of the generated configuration does not say %q:\n%s", want, plan)
		}
	}
}
