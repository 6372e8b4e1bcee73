package search

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// frenchShop is a French catalog as a shop exports it: titles and
// descriptions in French, categories named in French.
var frenchShop = []struct {
	category, desc string
	titles         []string
}{
	{"Thé & Infusions Thé vert", "Un thé vert délicat, récolté au printemps. Infuser 3 minutes à 80 °C.",
		[]string{"Thé vert Sencha bio", "Thé vert au jasmin", "Thé vert Matcha de cérémonie", "Thé vert Gunpowder à la menthe", "Thé vert Gyokuro", "Thé vert citron gingembre"}},
	{"Thé & Infusions Thé noir", "Un thé noir corsé pour le petit-déjeuner, à déguster avec un nuage de lait.",
		[]string{"Thé noir Earl Grey", "Thé noir Darjeeling", "Thé noir Assam du matin", "Thé noir Lapsang fumé"}},
	{"Thé & Infusions Infusions", "Une infusion sans théine, douce et parfumée, idéale le soir.",
		[]string{"Infusion verveine menthe", "Infusion camomille miel", "Rooibos vanille", "Infusion tilleul"}},
	{"Chaussures Baskets", "Des chaussures confortables pour la ville, semelle en caoutchouc.",
		[]string{"Baskets en cuir blanches", "Baskets de course légères", "Baskets montantes en toile", "Baskets en daim"}},
	{"Chaussures Bottes", "Des chaussures robustes pour l'automne et l'hiver.",
		[]string{"Bottes en cuir marron", "Bottines à lacets", "Bottes de pluie", "Bottes fourrées d'hiver"}},
	{"Chaussures Sandales", "Des chaussures légères pour l'été.",
		[]string{"Sandales en cuir tressé", "Sandales de marche", "Espadrilles en toile"}},
	{"Vêtements Robes", "Une robe élégante, coupe fluide, à porter en toute saison.",
		[]string{"Robe d'été fleurie", "Robe portefeuille en lin", "Robe longue en soie", "Robe pull en laine", "Robe chemise rayée"}},
	{"Vêtements Pulls", "Un pull chaud et doux, tricoté avec soin, à porter sur une robe ou un jean.",
		[]string{"Pull marin en laine", "Pull col roulé cachemire", "Gilet en coton"}},
	{"Vêtements Pantalons", "Un pantalon coupe moderne, confortable au quotidien.",
		[]string{"Pantalon chino", "Jean droit", "Pantalon large en lin"}},
	{"Maison Théières", "Pour préparer et servir le thé à la maison.",
		[]string{"Théière en fonte", "Théière en verre avec infuseur", "Tasses à thé en porcelaine (lot de 4)"}},
	{"Maison Bougies", "Une bougie en cire végétale, 40 heures de combustion.",
		[]string{"Bougie parfumée figue", "Bougie au thé vert", "Bougie lavande"}},
}

func frenchDocs() (docs []Doc, category map[uint]string) {
	category = map[uint]string{}
	for _, c := range frenchShop {
		for _, title := range c.titles {
			id := uint(len(docs) + 1)
			docs = append(docs, Doc{ID: id, Title: title, Brand: "Maison Lune", Category: c.category, Description: c.desc, Popularity: float64(id % 7)})
			category[id] = c.category
		}
	}
	return docs, category
}

// TestAFrenchCatalogIsSearchedInFrench: a catalog written in French is
// analysed as French: "thé" is tea, not the English stop word "the" its
// folded form was (a search for it found nothing, and "thé vert" was a
// search for "vert"), "chaussures" finds the shoes and "robe" the dresses,
// typed with or without accents.
func TestAFrenchCatalogIsSearchedInFrench(t *testing.T) {
	docs, category := frenchDocs()
	ix := openTest(t, "", docs)
	if got := ix.Language(); got != French {
		t.Fatalf("the catalog is searched as %q, want French", got)
	}
	titles := map[uint]string{}
	for _, d := range docs {
		titles[d.ID] = d.Title
	}
	search := func(q string) []uint {
		t.Helper()
		r, err := ix.Search(context.Background(), q, true)
		if err != nil {
			t.Fatal(err)
		}
		return r.IDs
	}
	named := func(ids []uint) string {
		var s []string
		for _, id := range ids {
			s = append(s, titles[id])
		}
		return strings.Join(s, " | ")
	}
	for _, q := range []string{"thé vert", "the vert", "THÉ VERT"} {
		got := search(q)
		// The six green teas first (the candle scented with it may
		// follow), then other teas.
		if len(got) < 7 {
			t.Fatalf("%q finds %d products: %s", q, len(got), named(got))
		}
		for _, id := range got[:6] {
			if category[id] != "Thé & Infusions Thé vert" {
				t.Errorf("%q: the first six are not the green teas: %s", q, named(got))
				break
			}
		}
	}
	if got := search("thé"); len(got) < 10 || !strings.HasPrefix(titles[got[0]], "Thé") {
		t.Errorf(`"thé" finds %d products; want the teas first: %s`, len(got), named(got))
	}
	for q, want := range map[string]string{"chaussures": "Chaussures", "robe": "Vêtements Robes", "robes": "Vêtements Robes", "bottes": "Chaussures Bottes"} {
		got := search(q)
		n := 0
		for _, c := range frenchShop {
			if strings.HasPrefix(c.category, want) {
				n += len(c.titles)
			}
		}
		if len(got) < n {
			t.Errorf("%q finds %d products, want the %d of %s: %s", q, len(got), n, want, named(got))
			continue
		}
		for _, id := range got[:n] {
			if !strings.HasPrefix(category[id], want) {
				t.Errorf("%q: the first %d are not all %s: %s", q, n, want, named(got))
				break
			}
		}
	}
}

// TestTheCatalogsLanguageIsReadFromItsText: German, Spanish, Dutch and
// Italian catalogs are searched in their language; an English one, and one
// English but for a few borrowed names, stays English.
func TestTheCatalogsLanguageIsReadFromItsText(t *testing.T) {
	descs := map[string]string{
		German:  "Ein leichter Rucksack für die Wanderung, mit einem Fach für den Laptop und der Flasche.",
		Spanish: "Una mochila ligera para el camino, con un bolsillo para la botella y el portátil de la oficina.",
		Dutch:   "Een lichte rugzak voor het wandelen, met een vak voor de laptop en een fles van het merk.",
		Italian: "Uno zaino leggero per il cammino, con una tasca per la bottiglia e il portatile della città.",
		English: "A light backpack for the trail, with a pocket for the bottle and the laptop you carry to the office.",
	}
	for want, desc := range descs {
		var docs []Doc
		for i := 0; i < 20; i++ {
			docs = append(docs, Doc{ID: uint(i + 1), Title: fmt.Sprintf("Item %d", i), Description: desc})
		}
		if got := DetectLanguage(docs); got != want {
			t.Errorf("a catalog described %q is read as %q, want %q", desc, got, want)
		}
	}
	other, _ := otherShopDocs(300)
	for i := range other[:10] {
		other[i].Title += " de la Maison"
	}
	if got := DetectLanguage(other); got != English {
		t.Errorf("an English catalog with a few French names is read as %q", got)
	}
	if got := DetectLanguage(nil); got != English {
		t.Errorf("an empty catalog is read as %q", got)
	}
}

// TestTheIndexFollowsTheCatalogsLanguage: a shop whose catalog becomes
// French (its English products replaced by an import) is searched in
// French from the Sync that brings them, and back.
func TestTheIndexFollowsTheCatalogsLanguage(t *testing.T) {
	en, _ := otherShopDocs(200)
	dir := t.TempDir() + "/idx"
	ix := openTest(t, dir, en)
	if ix.Language() != English {
		t.Fatalf("language %q", ix.Language())
	}
	fr, _ := frenchDocs()
	if _, err := ix.Sync(fr); err != nil {
		t.Fatal(err)
	}
	if ix.Language() != French || ix.Len() != len(fr) {
		t.Fatalf("after a French catalog: language %q, %d documents", ix.Language(), ix.Len())
	}
	if r, err := ix.Search(context.Background(), "thé", false); err != nil || len(r.IDs) == 0 {
		t.Fatalf(`"thé" after the switch: %v, %v`, r.IDs, err)
	}
	if _, err := ix.Sync(en); err != nil {
		t.Fatal(err)
	}
	if r, err := ix.Search(context.Background(), "cordless drill", false); ix.Language() != English || err != nil || len(r.IDs) == 0 {
		t.Fatalf("back in English (%q): %v, %v", ix.Language(), r.IDs, err)
	}
}

// TestAnEnglishShopOfUnitsAndCodesIsEnglish: titles full of one-letter
// units and code parts ("USB-C", "2 m", "5 l"), which French lists as
// stop words, and no descriptions are still an English catalog, searched
// with English stop words ("the" is no word of a French shop's, where it
// was said unknown).
func TestAnEnglishShopOfUnitsAndCodesIsEnglish(t *testing.T) {
	var docs []Doc
	for i := 0; i < 60; i++ {
		docs = append(docs, Doc{ID: uint(i + 1), Title: fmt.Sprintf("USB-C to USB-C Cable %d m", i%5+1), Category: "Cables"},
			Doc{ID: uint(i + 61), Title: fmt.Sprintf("Garden Hose %d m with Spray Gun", 10+i%4*5), Category: "Garden"},
			Doc{ID: uint(i + 121), Title: fmt.Sprintf("Water Butt %d l", 100+i%3*50), Category: "Garden"})
	}
	if got := DetectLanguage(docs); got != English {
		t.Errorf("the catalog is read as %q, want English", got)
	}
	ix := openTest(t, "", docs)
	if r := search(t, ix, "the garden hoses"); r.Full != 60 || len(r.Unknown) > 0 || r.Corrected != "" {
		t.Errorf("the garden hoses: %+v, want the 60 hoses and no word unknown or corrected", r)
	}
}
