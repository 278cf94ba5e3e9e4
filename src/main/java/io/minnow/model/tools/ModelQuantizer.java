package io.minnow.model.tools;

import io.minnow.gguf.GGMLType;
import io.minnow.gguf.GGUFException;
import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.GGUFWriter;
import io.minnow.gguf.Names;
import io.minnow.gguf.TensorInfo;
import io.minnow.tensor.Quantizer;
import io.minnow.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code llama-quantize} for F32/F16/BF16 GGUF files: metadata copied with its value types, {@code general.file_type}
 * and {@code general.quantization_version} set, every tensor converted to the type {@link QuantPlan} picks.
 */
public final class ModelQuantizer {
    private ModelQuantizer() {}

    /** How many tensors went to each type. */
    public record Summary(Map<GGMLType, Integer> tensorsByType, long bytesIn, long bytesOut) {}

    public static Summary quantize(Path in, Path out, FileType type) throws IOException {
        try (GGUFFile f = GGUFFile.open(in)) {
            GGUFWriter w = new GGUFWriter();
            copyMetadata(f, w);
            w.put(Names.GENERAL_FILE_TYPE, new GGUFWriter.Typed(4, type.id));
            w.put(Names.GENERAL_QUANTIZATION_VERSION, new GGUFWriter.Typed(4, 2));
            String arch = f.getString(Names.GENERAL_ARCHITECTURE);
            int nLayer = f.getInt(Names.key(Names.BLOCK_COUNT, arch));
            boolean tied = f.optionalTensor(Names.weight(Names.OUTPUT)) == null;
            QuantPlan plan = new QuantPlan(type, tied, nLayer);
            Map<GGMLType, Integer> counts = new EnumMap<>(GGMLType.class);
            long bytesIn = 0, bytesOut = 0;
            for (TensorInfo t : f.tensors().values()) {
                GGMLType src = t.type();
                if (src != GGMLType.F32 && src != GGMLType.F16 && src != GGMLType.BF16) {
                    throw new GGUFException(in, "tensor '" + t.name() + "' is " + src + ": quantize converts F32, F16 and BF16 files only");
                }
                GGMLType dst = plan.typeFor(t.name(), t.shape());
                if (!Quantizer.TYPES.contains(dst)) {
                    throw new GGUFException(in, "tensor '" + t.name() + "' would need " + dst + ", which Minnow cannot write yet");
                }
                int cols = t.columns();
                long rows = t.rows();
                if (rows * cols > Integer.MAX_VALUE - 16) throw new GGUFException(in, "tensor '" + t.name() + "' is too large");
                float[] values = new float[(int) (rows * cols)];
                Tensor src2 = Tensor.of(t);
                for (int r = 0; r < rows; r++) src2.dequantizeRow(r, values, r * cols);
                byte[] data = Quantizer.quantize(dst, values, (int) rows, cols);
                w.tensor(t.name(), dst, data, t.shape());
                counts.merge(dst, 1, Integer::sum);
                bytesIn += t.data().byteSize();
                bytesOut += data.length;
            }
            w.write(out);
            return new Summary(counts, bytesIn, bytesOut);
        }
    }

    /** Every metadata entry but alignment and file type, integers with their original GGUF value type. */
    static void copyMetadata(GGUFFile f, GGUFWriter w) {
        for (var e : f.metadata().entrySet()) {
            String k = e.getKey();
            if (k.equals(Names.GENERAL_ALIGNMENT) || k.equals(Names.GENERAL_FILE_TYPE) || k.equals(Names.GENERAL_QUANTIZATION_VERSION)) {
                continue;
            }
            int type = f.metadataType(k);
            Object v = e.getValue();
            w.put(k, switch (type) {
                case 0, 1, 2, 3, 4, 5, 10, 11 -> new GGUFWriter.Typed(type, v);
                default -> v;
            });
        }
    }
}
