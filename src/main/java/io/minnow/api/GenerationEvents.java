package io.minnow.api;

import io.minnow.engine.Engine;
import io.minnow.engine.FinishReason;
import io.minnow.engine.GenerationHandle;
import io.minnow.engine.GenerationListener;
import io.minnow.engine.GenerationRequest;
import io.minnow.engine.TokenLogprob;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one or more engine sequences (the choices of a request) and merges their events into one {@link Multi}.
 * Cancelling the subscription (a client that went away) cancels every sequence; a failure of one cancels the rest.
 * Nothing is submitted before subscription.
 */
final class GenerationEvents {
    private GenerationEvents() {}

    sealed interface Event permits PromptLogprobs, Token, Finished {
        int index();
    }

    record PromptLogprobs(int index, List<TokenLogprob> logprobs) implements Event {}

    record Token(int index, int token, String text, TokenLogprob logprob) implements Event {}

    record Finished(int index, FinishReason reason, String text, GenerationListener.Usage usage) implements Event {}

    static Multi<Event> run(Engine engine, List<GenerationRequest> requests) {
        return Multi.createFrom().emitter(em -> start(engine, requests, em), BackPressureStrategy.BUFFER);
    }

    private static void start(Engine engine, List<GenerationRequest> requests, MultiEmitter<? super Event> em) {
        List<GenerationHandle> handles = new ArrayList<>(requests.size());
        int[] remaining = {requests.size()};
        Object lock = new Object();
        em.onTermination(() -> {
            synchronized (lock) {
                handles.forEach(GenerationHandle::cancel);
            }
        });
        try {
            for (int i = 0; i < requests.size(); i++) {
                int index = i;
                GenerationHandle h = engine.submit(requests.get(i), new GenerationListener() {
                    @Override
                    public void onPromptLogprobs(List<TokenLogprob> logprobs) {
                        em.emit(new PromptLogprobs(index, logprobs));
                    }

                    @Override
                    public void onToken(int token, String text, TokenLogprob logprob) {
                        em.emit(new Token(index, token, text, logprob));
                    }

                    @Override
                    public void onFinish(FinishReason reason, String text, Usage usage) {
                        if (reason == FinishReason.CANCELLED) {
                            return; // the client is gone, or a sibling failed
                        }
                        em.emit(new Finished(index, reason, text, usage));
                        boolean last;
                        synchronized (lock) {
                            last = --remaining[0] == 0;
                        }
                        if (last) em.complete();
                    }

                    @Override
                    public void onError(RuntimeException error) {
                        em.fail(error);
                    }
                });
                synchronized (lock) {
                    handles.add(h);
                }
            }
        } catch (RuntimeException e) {
            em.fail(e); // cancels the sequences already submitted through onTermination
            return;
        }
        if (em.isCancelled()) { // terminated while submitting: make sure none keeps running
            synchronized (lock) {
                handles.forEach(GenerationHandle::cancel);
            }
        }
    }
}
