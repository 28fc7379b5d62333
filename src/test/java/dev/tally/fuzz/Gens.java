package dev.tally.fuzz;

import java.util.ArrayList;
import java.util.List;

import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * The few combinators the generators need that QuickTheories spells differently or lacks: weights given inline,
 * a list of generators drawn together, strings over a chosen alphabet. Each one draws through the same randomness
 * source, so QuickTheories still replays and shrinks every value built from them (towards the first weight, the
 * first value, the shortest length).
 */
final class Gens {

    static final String ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final String DIGITS = "0123456789";

    private Gens() {
    }

    /**
     * Weighted choice: {@code weighted(3, a, 1, b)} draws from a three times as often as from b; a weight of 0 leaves
     * its generator out. Shrinks towards the first choice, so the plain case goes first.
     */
    @SuppressWarnings("unchecked")
    static <T> Gen<T> weighted(Object... weightsAndGens) {
        List<Pair<Integer, Gen<T>>> choices = new ArrayList<>();
        for (int i = 0; i < weightsAndGens.length; i += 2) {
            int weight = (Integer) weightsAndGens[i];
            if (weight > 0) {
                choices.add(Pair.of(weight, (Gen<T>) weightsAndGens[i + 1]));
            }
        }
        return Generate.frequency(choices);
    }

    static <T> Gen<T> just(T value) {
        return Generate.constant(value);
    }

    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        return Generate.pick(List.of(values));
    }

    static <T> Gen<T> of(List<T> values) {
        return Generate.pick(values);
    }

    /** One of the generators, each equally likely, whatever the size of its own input space. */
    static <T> Gen<T> oneOf(List<Gen<T>> gens) {
        return Generate.range(0, gens.size() - 1).flatMap(gens::get);
    }

    /** One value of each generator, in order. */
    static <T> Gen<List<T>> all(List<Gen<T>> gens) {
        List<Gen<T>> fixed = List.copyOf(gens);
        return source -> {
            List<T> values = new ArrayList<>(fixed.size());
            fixed.forEach(gen -> values.add(gen.generate(source)));
            return values;
        };
    }

    static <T> Gen<List<T>> lists(Gen<T> element, int min, int max) {
        return SourceDSL.lists().of(element).ofSizeBetween(min, max);
    }

    /** Strings of the given characters, {@code min} to {@code max} long. */
    static Gen<String> strings(String alphabet, int min, int max) {
        List<Character> chars = alphabet.chars().mapToObj(c -> (char) c).toList();
        return text(Generate.pick(chars), min, max);
    }

    /** Strings of any UTF-16 units, lone surrogates and U+FFFF included, up to {@code max} long. */
    static Gen<String> anyChars(int max) {
        return text(Generate.characters(Character.MIN_VALUE, Character.MAX_VALUE), 0, max);
    }

    /**
     * A length, then always {@code max} characters, of which the first {@code length} are kept. The fixed number of
     * draws is what lets a string shrink: QuickTheories shrinks the flat sequence of draws, and a shorter string
     * that drew fewer characters would shift every later draw, so the rest of the request would change and the
     * shrink step fail. Drawn this way, {@code aaaaaaaaaa} shrinks to {@code a}.
     */
    private static Gen<String> text(Gen<Character> character, int min, int max) {
        Gen<Integer> length = Generate.range(min, max);
        return source -> {
            int n = length.generate(source);
            StringBuilder text = new StringBuilder(max);
            for (int i = 0; i < max; i++) {
                char c = character.generate(source);
                if (i < n) {
                    text.append(c);
                }
            }
            return text.toString();
        };
    }

}
