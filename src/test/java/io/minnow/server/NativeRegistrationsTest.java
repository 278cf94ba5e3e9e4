package io.minnow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The native image registrations cover every architecture the services file lists, and no other. */
class NativeRegistrationsTest {

    @Test
    void everyServiceProviderIsRegistered() throws IOException {
        Set<String> services;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/services/io.minnow.model.Architecture")) {
            services = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> registered = Arrays.stream(NativeRegistrations.class.getAnnotation(RegisterForReflection.class).targets())
                .map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(services, registered);
    }
}
