package server_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// A server the provider creates records its account, region and instance id as its identity, and an
// import block naming that identity adopts it.
func TestAccServer_identityIsRecordedAndImports(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ResourceIdentity},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: serverConfig(fmt.Sprintf("  image_id = %q\n  instance_type = \"t3.micro\"\n", acctest.LinuxImage)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(serverAddr, map[string]knownvalue.Check{
						"account_id": knownvalue.StringExact("123456789012"),
						"region":     knownvalue.StringExact(acctest.Region),
						"id":         knownvalue.StringRegexp(regexp.MustCompile(`^i-[0-9a-f]+$`)),
					}),
					statecheck.ExpectIdentityValueMatchesState(serverAddr, tfjsonpath.New("id")),
				},
			},
			{ResourceName: serverAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}
