package recommender

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

var movieLensGenres = []string{
	"unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
	"Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
	"Romance", "Sci-Fi", "Thriller", "War", "Western",
}

// LoadMovieLens reads the MovieLens 100k files in dir: u.data (tab-separated
// user, item, rating, unix time) becomes one Purchase event per rating with
// the rating as Value, and u.item (Latin-1, '|'-separated) becomes the
// catalog, with genres as categories. Use it with MovieLensConfig.
func LoadMovieLens(dir string) (Dataset, error) {
	var d Dataset
	f, err := os.Open(filepath.Join(dir, "u.data"))
	if err != nil {
		return d, fmt.Errorf("recommender: load movielens: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 4 {
			return d, fmt.Errorf("recommender: load movielens: u.data line %d: want 4 fields, got %d", line, len(fields))
		}
		rating, err1 := strconv.ParseFloat(fields[2], 64)
		ts, err2 := strconv.ParseInt(fields[3], 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return d, fmt.Errorf("recommender: load movielens: u.data line %d: %w", line, err)
		}
		t := time.Unix(ts, 0).UTC()
		d.Events = append(d.Events, Event{User: fields[0], Item: fields[1], Type: Purchase, Time: t, Value: rating})
		if t.After(d.Now) {
			d.Now = t
		}
	}
	if err := sc.Err(); err != nil {
		return d, fmt.Errorf("recommender: load movielens: read u.data: %w", err)
	}
	items, err := loadMovieLensItems(filepath.Join(dir, "u.item"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return d, err
	}
	d.Items = items // nil when u.item is missing: items are derived from the events
	return d, nil
}

func loadMovieLensItems(path string) ([]Item, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("recommender: load movielens: %w", err)
	}
	// u.item is Latin-1: every byte is one code point.
	runes := make([]rune, len(raw))
	for i, b := range raw {
		runes[i] = rune(b)
	}
	var items []Item
	for n, line := range strings.Split(string(runes), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		fields := strings.Split(line, "|")
		if len(fields) < 5+len(movieLensGenres) {
			return nil, fmt.Errorf("recommender: load movielens: u.item line %d: want %d fields, got %d", n+1, 5+len(movieLensGenres), len(fields))
		}
		var genres []string
		for g, flag := range fields[5 : 5+len(movieLensGenres)] {
			if flag == "1" {
				genres = append(genres, movieLensGenres[g])
			}
		}
		it := Item{ID: fields[0], Title: fields[1], Active: true, Stock: 1, Description: strings.Join(genres, " ")}
		if len(genres) > 0 {
			it.Category = genres[0]
			it.CategoryPath = []string{"Movies", genres[0]}
		}
		if t, err := time.Parse("02-Jan-2006", fields[2]); err == nil {
			it.Created = t
		}
		items = append(items, it)
	}
	return items, nil
}
