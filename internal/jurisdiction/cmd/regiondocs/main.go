// Command regiondocs prints the tfplugindocs template of the gdpr_region data source to stdout.
//
// The page lists every region the provider knows, with its country and jurisdiction, and every country
// with an adequacy decision. Generating it from the embedded jurisdiction data keeps the documentation and
// the provider's answers from ever disagreeing: `make docs` runs this command, then tfplugindocs renders the
// template into docs/data-sources/region.md.
package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
)

// cloudTitles are the headings of the region tables. A cloud added to the data without a title here still
// gets a table, headed by its name, so that no region is ever left out of the page.
var cloudTitles = map[string]string{
	"aws":   "Amazon Web Services (`cloud = \"aws\"`)",
	"azure": "Microsoft Azure (`cloud = \"azure\"`)",
	"gcp":   "Google Cloud (`cloud = \"gcp\"`)",
}

func main() {
	// The output is a Go template that tfplugindocs executes. Only the fixed parts of this program may
	// contain actions; a "{{" coming from the data would be run as one, so it is refused here instead.
	if err := checkData(); err != nil {
		fmt.Fprintln(os.Stderr, "regiondocs:", err)
		os.Exit(1)
	}
	var b strings.Builder
	write(&b)
	w := bufio.NewWriter(os.Stdout)
	if _, err := w.WriteString(b.String()); err != nil {
		fmt.Fprintln(os.Stderr, "regiondocs:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "regiondocs:", err)
		os.Exit(1)
	}
}

func write(b *strings.Builder) {
	asOf := jurisdiction.AsOf().Format(time.DateOnly)
	countries := allCountries()

	b.WriteString(header)
	fmt.Fprintf(b, jurisdictionsIntro, asOf)

	b.WriteString("### EU member states (`EU`)\n\n")
	b.WriteString(countryList(countries, jurisdiction.EU))
	b.WriteString("\n\n### EEA members outside the EU (`EEA`)\n\n")
	b.WriteString(countryList(countries, jurisdiction.EEA))
	b.WriteString("\n\n### Full adequacy decisions (`ADEQUACY`)\n\n")
	b.WriteString(decisionTable(countries, jurisdiction.Adequacy, false))
	b.WriteString("\n### Partial adequacy decisions (`PARTIAL_ADEQUACY`)\n\n")
	b.WriteString(partialIntro)
	b.WriteString(decisionTable(countries, jurisdiction.PartialAdequacy, true))
	b.WriteString("\n")
	b.WriteString(sources)

	fmt.Fprintf(b, "## Known regions\n\nThese are all the regions the provider knows, as of %s. A region that is "+
		"not listed is an error at validate time rather than a guess; if a cloud has opened a region since, "+
		"upgrade the provider.\n", asOf)
	for _, cloud := range jurisdiction.Clouds() {
		title, ok := cloudTitles[cloud]
		if !ok {
			title = "`" + cloud + "`"
		}
		fmt.Fprintf(b, "\n### %s\n\n", title)
		b.WriteString("| Region | Location | Country | Jurisdiction |\n|---|---|---|---|\n")
		for _, r := range jurisdiction.Regions(cloud) {
			fmt.Fprintf(b, "| `%s` | %s | %s (`%s`) | `%s` |\n",
				cell(r.Name), cell(r.Location), cell(r.Country.Name), r.Country.Code, r.Country.Jurisdiction)
		}
	}
}

// allCountries returns every country in the data, in code order. The jurisdiction package looks countries
// up by code only, and there are just 676 possible alpha-2 codes, so trying them all is simple and complete.
func allCountries() []jurisdiction.Country {
	var out []jurisdiction.Country
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if c, ok := jurisdiction.CountryByCode(string([]rune{a, b})); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

func countryList(all []jurisdiction.Country, j jurisdiction.Jurisdiction) string {
	var names []string
	for _, c := range all {
		if c.Jurisdiction == j {
			names = append(names, fmt.Sprintf("%s (`%s`)", c.Name, c.Code))
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ") + "."
}

func decisionTable(all []jurisdiction.Country, j jurisdiction.Jurisdiction, partial bool) string {
	var b strings.Builder
	if partial {
		b.WriteString("| Country | Decision | What you must make sure of |\n|---|---|---|\n")
	} else {
		b.WriteString("| Country | Decision |\n|---|---|\n")
	}
	for _, c := range all {
		if c.Jurisdiction != j {
			continue
		}
		fmt.Fprintf(&b, "| %s (`%s`) | %s |", cell(c.Name), c.Code, cell(c.AdequacyDecision))
		if partial {
			fmt.Fprintf(&b, " %s |", cell(upperFirst(c.PartialScope)))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// checkData refuses data that would break the template or the tables built from it.
func checkData() error {
	bad := func(what, s string) error {
		if strings.Contains(s, "{{") || strings.Contains(s, "}}") {
			return fmt.Errorf("%s %q contains template delimiters; fix internal/jurisdiction/data.json", what, s)
		}
		return nil
	}
	for _, c := range allCountries() {
		for _, s := range []string{c.Name, c.AdequacyDecision, c.PartialScope} {
			if err := bad("country "+c.Code, s); err != nil {
				return err
			}
		}
	}
	for _, cloud := range jurisdiction.Clouds() {
		for _, r := range jurisdiction.Regions(cloud) {
			for _, s := range []string{r.Name, r.Location} {
				if err := bad(cloud+" region "+r.Name, s); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// cell makes a value safe inside a Markdown table row.
func cell(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "|", `\|`)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

const header = `---
page_title: "{{ .Name }} {{ .Type }} - {{ .RenderedProviderName }}"
subcategory: ""
description: |-
{{ .Description | plainmarkdown | trimspace | prefixlines "  " }}
---

<!-- This template is generated by internal/jurisdiction/cmd/regiondocs from the embedded jurisdiction data. Run make docs instead of editing it. -->

# {{ .Name }} ({{ .Type }})

{{ .Description | trimspace }}

The data source makes no network calls: the answer comes from data built into the provider. The provider block still needs a ` + "`region`" + `, and the provider checks its AWS credentials with ` + "`sts:GetCallerIdentity`" + ` when it is configured; to use the data source without AWS credentials, set ` + "`skip_credentials_validation = true`" + ` in the provider block. It answers for regions of Amazon Web Services, Microsoft Azure and Google Cloud, so a module can check where a resource of any provider would keep its data. It reports a region outside ` + "`allowed_jurisdictions`" + ` as ` + "`allowed = false`" + ` and does not fail by itself, which leaves the decision to a ` + "`precondition`" + `, a ` + "`check`" + ` block or a variable ` + "`validation`" + `.

## Example Usage

This module fails its plan when the caller asks for a region that the provider's ` + "`allowed_jurisdictions`" + ` do not admit, before anything is created.

{{ tffile "examples/data-sources/gdpr_region/data-source.tf" }}

{{ .SchemaMarkdown | trimspace }}

`

const jurisdictionsIntro = `## Jurisdictions and policy values

Every region belongs to one country, and the country decides the region's ` + "`jurisdiction`" + `: where personal data may be transferred under Chapter V of the GDPR (Arts. 44 to 50). The provider's ` + "`allowed_jurisdictions`" + ` lists the values below; a region is ` + "`allowed`" + ` when at least one value admits it. The lists on this page are the provider's data as of %s.

| Policy value | Admits |
|---|---|
| ` + "`EU`" + ` | The member states of the European Union, where the GDPR applies directly. |
| ` + "`EEA`" + ` | The EU member states plus Iceland, Liechtenstein and Norway, where the GDPR applies through the EEA Agreement. This is the provider's default. |
| ` + "`ADEQUACY`" + ` | Countries with a full adequacy decision of the European Commission under GDPR Art. 45. It does not admit EU or EEA members by itself, so a policy usually lists it with ` + "`EEA`" + `. |
| ` + "`PARTIAL_ADEQUACY`" + ` | Countries whose adequacy decision covers only some recipients. The provider cannot check which recipients you use, so these countries are admitted only when you ask for them by this value or by their country code. |
| A country code such as ` + "`CH`" + ` | That one country, whatever its jurisdiction. Codes are ISO 3166-1 alpha-2, in upper case (` + "`GB`" + `, not ` + "`UK`" + `; ` + "`GR`" + `, not ` + "`EL`" + `). Admitting a third country is a statement that you have another lawful basis for the transfer, such as standard contractual clauses. |

A region whose country is in none of the groups below has the jurisdiction ` + "`THIRD_COUNTRY`" + `: placing personal data there needs safeguards that this provider cannot see, and only a country code admits it.

`

const partialIntro = `A partial decision is lawful ground for a transfer only to the recipients it covers. The ` + "`reason`" + ` attribute repeats what you must make sure of whenever such a region is allowed. The General Court upheld the EU-US Data Privacy Framework decision on 3 September 2025 (T-553/23, Latombe); an appeal to the Court of Justice (C-703/25 P) was pending on the date above, so check its outcome before you rely on the decision.

`

const sources = `### Sources

- The GDPR, [Regulation (EU) 2016/679](https://eur-lex.europa.eu/eli/reg/2016/679/oj): Art. 45 (transfers on the basis of an adequacy decision) and Arts. 44 to 50 (transfers to third countries).
- The EU member states: [EU countries](https://european-union.europa.eu/principles-countries-history/eu-countries_en), published by the European Union.
- The EEA members outside the EU: [the EEA Agreement](https://www.efta.int/eea), published by EFTA.
- The adequacy decisions in force: [Adequacy decisions](https://commission.europa.eu/law/law-topic/data-protection/international-dimension-data-protection/adequacy-decisions_en), published by the European Commission.
- The regions and their locations: [AWS Regions](https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html) (including the AWS European Sovereign Cloud, AWS GovCloud (US) and the China regions), [Azure regions](https://learn.microsoft.com/en-us/azure/reliability/regions-list) (physical public regions only) and [Google Cloud locations](https://cloud.google.com/about/locations) (regions only, not multi-regions).

The European Patent Organisation received an adequacy decision as an international organisation in July 2025. It runs no cloud region, so it does not appear here.

`
