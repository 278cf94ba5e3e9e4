package io.minnow.server;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Registry-wide meter filters. */
public class MetricsFilters {
    /**
     * Some JVM meters have double quotes in their descriptions; the Prometheus client writes them as {@code \"} in
     * HELP lines, which the text format does not allow and promtool (e.g. Debian's 2.42) rejects. Quotes become
     * single quotes so the whole exposition parses.
     */
    @Produces
    @Singleton
    public MeterFilter plainHelpText() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String d = id.getDescription();
                if (d == null || d.indexOf('"') < 0) return id;
                return new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTagsAsIterable()), id.getBaseUnit(),
                        d.replace('"', '\''), id.getType());
            }
        };
    }
}
