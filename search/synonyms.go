package search

import (
	"fmt"
	"strings"
)

// Synonyms are groups of terms a shopper may use for the same thing
// ("waterproof, weatherproof"); a term may be several words ("t shirt, tee").
// A query word in a group matches products that use any term of the group.
type Synonyms struct {
	groups   [][]string
	byTerm   map[string]int // term → index into groups
	maxWords int
}

// Limits on what a merchandiser can enter, so one form cannot make every
// query slow.
const (
	MaxSynonymGroups = 500
	maxGroupTerms    = 12
	maxTermWords     = 4
)

// ParseSynonyms reads one group per line, terms separated by commas or "~".
// Blank lines and lines starting with # are skipped. Every problem is
// reported with its line number; nothing is returned unless all lines are
// good.
func ParseSynonyms(text string) (*Synonyms, []string) {
	s := &Synonyms{byTerm: map[string]int{}}
	var problems []string
	lineOf := map[string]int{}
	for n, line := range strings.Split(text, "\n") {
		n++
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var group []string
		for _, raw := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '~' }) {
			words := Tokenize(raw)
			if len(words) == 0 {
				continue
			}
			if len(words) > maxTermWords {
				problems = append(problems, fmt.Sprintf("line %d: %q has more than %d words", n, strings.TrimSpace(raw), maxTermWords))
				continue
			}
			term := strings.Join(words, " ")
			if prev, ok := lineOf[term]; ok {
				if prev != n {
					problems = append(problems, fmt.Sprintf("line %d: %q is already in the group on line %d; put them in one group", n, term, prev))
				}
				continue
			}
			lineOf[term] = n
			group = append(group, term)
			s.maxWords = max(s.maxWords, len(words))
		}
		switch {
		case len(group) == 1:
			problems = append(problems, fmt.Sprintf("line %d: a group needs at least two terms, separated by commas", n))
			continue
		case len(group) > maxGroupTerms:
			problems = append(problems, fmt.Sprintf("line %d: a group can have at most %d terms", n, maxGroupTerms))
			continue
		case len(group) == 0:
			continue
		}
		for _, t := range group {
			s.byTerm[t] = len(s.groups)
		}
		s.groups = append(s.groups, group)
	}
	if len(s.groups) > MaxSynonymGroups {
		problems = append(problems, fmt.Sprintf("at most %d groups (there are %d)", MaxSynonymGroups, len(s.groups)))
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return s, nil
}

// Text is the groups as ParseSynonyms reads them, one per line.
func (s *Synonyms) Text() string {
	var b strings.Builder
	for _, g := range s.groups {
		b.WriteString(strings.Join(g, ", "))
		b.WriteByte('\n')
	}
	return b.String()
}

// Len is the number of groups.
func (s *Synonyms) Len() int { return len(s.groups) }

// group returns the terms that mean the same as term (term included), or
// nil when it is in no group.
func (s *Synonyms) group(term string) []string {
	if i, ok := s.byTerm[term]; ok {
		return s.groups[i]
	}
	return nil
}

// DefaultSynonyms is what a shop searches with until a merchandiser saves
// its own list: words English-speaking shoppers use for the same thing.
const DefaultSynonyms = `waterproof, weatherproof, water resistant
kids, children, child
men, mens
women, womens, ladies
sneakers, trainers
tee, t shirt, tshirt
jumper, sweater, pullover
trousers, pants
flashlight, torch
sofa, couch
bike, bicycle
tv, television
`

// Defaults returns DefaultSynonyms parsed.
func Defaults() *Synonyms {
	s, problems := ParseSynonyms(DefaultSynonyms)
	if len(problems) > 0 {
		panic("search: bad default synonyms: " + problems[0])
	}
	return s
}
