package recommender

import (
	"slices"
	"testing"
)

// TestSimilarJapaneseTitlesShareTheirSeries: in a manga shop, "similar
// items" of a volume were other series' volumes of the same number (the
// title "海辺のカフカ 第27巻" was the terms 海辺のカフカ, whole, and 第27巻, shared
// with every volume 27). Titles written without spaces give pairs of
// characters, so the series' other volumes come first.
func TestSimilarJapaneseTitlesShareTheirSeries(t *testing.T) {
	if got := tokenize("進撃の巨人 第27巻 Vol.2"); !slices.Equal(got, []string{"進撃", "撃の", "の巨", "巨人", "第", "27", "巻", "vol"}) {
		t.Errorf("tokenize: %q", got)
	}
	items := []Item{
		{ID: "kafka27", Title: "海辺のカフカ 第27巻", Category: "少年漫画", Brand: "新潮社"},
		{ID: "kafka3", Title: "海辺のカフカ 第3巻", Category: "少年漫画", Brand: "新潮社"},
		{ID: "kafka-short", Title: "カフカ短編集", Category: "少年漫画", Brand: "新潮社"},
		{ID: "titan27", Title: "進撃の巨人 第27巻", Category: "少年漫画", Brand: "新潮社"},
		{ID: "onepiece27", Title: "ワンピース 第27巻", Category: "少年漫画", Brand: "新潮社"},
		{ID: "cat27", Title: "吾輩は猫である 第27巻", Category: "少年漫画", Brand: "新潮社"},
	}
	cat := newCatalog(Dataset{Items: items})
	sims := trainContent(&cat, 5, 1)
	idx, _ := sims.row(int(cat.index["kafka27"]))
	var got []string
	for _, j := range idx {
		got = append(got, items[j].ID)
	}
	if len(got) < 2 || !slices.Contains(got[:2], "kafka3") || !slices.Contains(got[:2], "kafka-short") {
		t.Errorf("similar to 海辺のカフカ 第27巻: %v, want its series first", got)
	}
}
