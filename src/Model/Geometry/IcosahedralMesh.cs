namespace GraphCast.Model.Geometry;

/// <summary>
/// A triangular mesh of the unit sphere built from the rotated regular icosahedron by repeated two-splits, exactly as
/// GraphCast's <c>icosahedral_mesh.py</c>: vertices float32 [V, 3] and faces int [F, 3], both stored flat, row-major.
/// </summary>
/// <remarks>
/// Bit-exactness matters: the grid2mesh radius query counts edges whose chord is within a radius derived from these
/// vertices, so every float32 rounding below follows the reference's numpy arithmetic (see the comments).
/// Faces are counter-clockwise seen from outside; a refined mesh keeps its parent's vertices as a prefix.
/// </remarks>
public sealed class IcosahedralMesh
{
    /// <summary>The faces of the icosahedron, counter-clockwise from outside, in the reference's hand-made order.</summary>
    private static readonly int[] IcosahedronFaces =
    [
        0, 1, 2, 0, 6, 1, 8, 0, 2, 8, 4, 0, 3, 8, 2,
        3, 2, 7, 7, 2, 1, 0, 4, 6, 4, 11, 6, 6, 11, 5,
        1, 5, 7, 4, 10, 11, 4, 8, 10, 10, 8, 3, 10, 3, 9,
        11, 10, 9, 11, 9, 5, 5, 9, 7, 9, 3, 7, 1, 6, 5,
    ];

    /// <summary>Creates a mesh from flat arrays; the arrays are owned by the mesh from then on.</summary>
    /// <param name="vertices">[V, 3] unit vectors, row-major.</param>
    /// <param name="faces">[F, 3] vertex indices, row-major.</param>
    public IcosahedralMesh(float[] vertices, int[] faces)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        ArgumentNullException.ThrowIfNull(faces);
        if (vertices.Length % 3 != 0)
        {
            throw new ArgumentException($"vertices must hold [V, 3] values; got {vertices.Length}, not a multiple of 3.", nameof(vertices));
        }

        if (faces.Length % 3 != 0)
        {
            throw new ArgumentException($"faces must hold [F, 3] indices; got {faces.Length}, not a multiple of 3.", nameof(faces));
        }

        var vertexCount = vertices.Length / 3;
        foreach (var index in faces)
        {
            if ((uint)index >= (uint)vertexCount)
            {
                throw new ArgumentException($"faces refer to vertex {index}, but there are only {vertexCount} vertices.", nameof(faces));
            }
        }

        Vertices = vertices;
        Faces = faces;
    }

    /// <summary>Vertex positions [V, 3] (x, y, z per vertex), float32 unit vectors.</summary>
    public float[] Vertices { get; }

    /// <summary>Faces [F, 3] as vertex indices, counter-clockwise seen from outside the sphere.</summary>
    public int[] Faces { get; }

    /// <summary>V, the number of vertices.</summary>
    public int VertexCount => Vertices.Length / 3;

    /// <summary>F, the number of faces.</summary>
    public int FaceCount => Faces.Length / 3;

    /// <summary>
    /// The regular icosahedron inscribed in the unit sphere, rotated about y so that one face is parallel to the
    /// xy plane and no vertex lies on a pole (reference <c>get_icosahedron</c>): 12 vertices, 20 faces.
    /// </summary>
    public static IcosahedralMesh Icosahedron()
    {
        var phi = (1.0 + Math.Sqrt(5.0)) / 2.0;
        var phi32 = (float)phi;

        // Vertices (c1, c2, 0), (0, c1, c2), (c2, 0, c1) for c1 in {1, -1}, c2 in {φ, -φ}, stored float32.
        var raw = new float[36];
        var n = 0;
        foreach (var c1 in new[] { 1f, -1f })
        {
            foreach (var c2 in new[] { phi32, -phi32 })
            {
                Span<float> triple = [c1, c2, 0f, 0f, c1, c2, c2, 0f, c1];
                triple.CopyTo(raw.AsSpan(n));
                n += 9;
            }
        }

        // The reference divides the float32 array in place by ‖(1, φ)‖, a float64 scalar: numpy's value-based casting
        // rounds the scalar to float32 and divides in float32 (checked against numpy: the same bits result).
        var norm = (float)Math.Sqrt(1.0 + (phi * phi));
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] /= norm;
        }

        // Rotate about y by half the supplement of the dihedral angle: vertices @ R with R from scipy's
        // Rotation.from_euler("y", a).as_matrix(), computed in float64 and then rounded to float32.
        var angle = (Math.PI - (2.0 * Math.Asin(phi / Math.Sqrt(3.0)))) / 2.0;
        var rotation = RotationAboutY(angle);
        var vertices = new float[36];
        for (var v = 0; v < 12; v++)
        {
            for (var j = 0; j < 3; j++)
            {
                // Row vector times matrix, summed in index order as a plain dot product does.
                var sum = 0.0;
                for (var l = 0; l < 3; l++)
                {
                    sum += raw[(3 * v) + l] * rotation[(3 * l) + j];
                }

                vertices[(3 * v) + j] = (float)sum;
            }
        }

        return new IcosahedralMesh(vertices, (int[])IcosahedronFaces.Clone());
    }

    /// <summary>
    /// Splits every face into four (reference <c>_two_split_unit_sphere_triangle_faces</c>): for face (i1, i2, i3) the
    /// edge midpoints i12, i23, i31 are created once per vertex pair, in order of first use, and the children are
    /// [i1, i12, i31], [i12, i2, i23], [i31, i23, i3], [i12, i23, i31]. Existing vertices keep their indices.
    /// </summary>
    public IcosahedralMesh Split()
    {
        var faceCount = FaceCount;
        var oldVertexCount = VertexCount;

        // On a closed surface every edge is shared by two faces, so 3F/2 midpoints are added.
        var newVertexCount = oldVertexCount + (3 * faceCount / 2);
        var vertices = new float[3 * newVertexCount];
        Array.Copy(Vertices, vertices, Vertices.Length);
        var faces = new int[12 * faceCount];
        var midpoints = new Dictionary<(int Low, int High), int>(3 * faceCount / 2);
        var next = oldVertexCount;

        int Midpoint(int a, int b)
        {
            var key = a < b ? (a, b) : (b, a);
            if (midpoints.TryGetValue(key, out var index))
            {
                return index;
            }

            index = next++;
            if (index >= newVertexCount)
            {
                throw new InvalidOperationException($"Splitting a mesh of {faceCount} faces needs more than 3F/2 = {3 * faceCount / 2} midpoints: Split works on closed meshes only.");
            }

            WriteMidpoint(vertices, index, a, b);
            midpoints.Add(key, index);
            return index;
        }

        for (var f = 0; f < faceCount; f++)
        {
            var i1 = Faces[3 * f];
            var i2 = Faces[(3 * f) + 1];
            var i3 = Faces[(3 * f) + 2];
            var i12 = Midpoint(i1, i2);
            var i23 = Midpoint(i2, i3);
            var i31 = Midpoint(i3, i1);
            ReadOnlySpan<int> children = [i1, i12, i31, i12, i2, i23, i31, i23, i3, i12, i23, i31];
            children.CopyTo(faces.AsSpan(12 * f));
        }

        if (next != newVertexCount)
        {
            throw new InvalidOperationException($"Splitting a mesh of {faceCount} faces created {next - oldVertexCount} midpoints, expected {3 * faceCount / 2}: Split works on closed meshes only.");
        }

        return new IcosahedralMesh(vertices, faces);
    }

    /// <summary>
    /// The meshes of levels 0..<paramref name="splits"/> (reference <c>get_hierarchy_of_triangular_meshes_for_sphere</c>):
    /// level k has 10·4^k + 2 vertices and 20·4^k faces.
    /// </summary>
    public static IReadOnlyList<IcosahedralMesh> Hierarchy(int splits)
    {
        // 4^k faces stay within int for k ≤ 12, far beyond any useful refinement.
        ArgumentOutOfRangeException.ThrowIfNegative(splits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(splits, 12);
        var meshes = new List<IcosahedralMesh>(splits + 1) { Icosahedron() };
        for (var k = 0; k < splits; k++)
        {
            meshes.Add(meshes[^1].Split());
        }

        return meshes;
    }

    /// <summary>
    /// The multimesh (reference <c>merge_meshes</c>): the finest mesh's vertices and the faces of every level,
    /// coarse first. <paramref name="meshes"/> go from coarse to fine, each a vertex prefix of the next.
    /// </summary>
    public static IcosahedralMesh Merge(IReadOnlyList<IcosahedralMesh> meshes)
    {
        ArgumentNullException.ThrowIfNull(meshes);
        if (meshes.Count == 0)
        {
            throw new ArgumentException("Merge needs at least one mesh.", nameof(meshes));
        }

        for (var k = 0; k + 1 < meshes.Count; k++)
        {
            var coarse = meshes[k].Vertices;
            var fine = meshes[k + 1].Vertices;
            if (fine.Length < coarse.Length || !fine.AsSpan(0, coarse.Length).SequenceEqual(coarse))
            {
                throw new ArgumentException($"Mesh {k} is not a vertex prefix of mesh {k + 1}: pass a hierarchy ordered coarse to fine.", nameof(meshes));
            }
        }

        var faces = new int[meshes.Sum(m => m.Faces.Length)];
        var offset = 0;
        foreach (var mesh in meshes)
        {
            mesh.Faces.CopyTo(faces, offset);
            offset += mesh.Faces.Length;
        }

        return new IcosahedralMesh(meshes[^1].Vertices, faces);
    }

    /// <summary>
    /// Directed edges of the faces (reference <c>faces_to_edges</c>): senders = [f0; f1; f2], receivers = [f1; f2; f0],
    /// each block over all faces. On a closed, consistently oriented mesh every edge appears in both directions.
    /// </summary>
    /// <param name="faces">[F, 3] vertex indices, row-major.</param>
    public static GraphEdges FacesToEdges(int[] faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        if (faces.Length % 3 != 0)
        {
            throw new ArgumentException($"faces must hold [F, 3] indices; got {faces.Length}, not a multiple of 3.", nameof(faces));
        }

        var faceCount = faces.Length / 3;
        var senders = new int[3 * faceCount];
        var receivers = new int[3 * faceCount];
        for (var corner = 0; corner < 3; corner++)
        {
            var next = (corner + 1) % 3;
            for (var f = 0; f < faceCount; f++)
            {
                senders[(corner * faceCount) + f] = faces[(3 * f) + corner];
                receivers[(corner * faceCount) + f] = faces[(3 * f) + next];
            }
        }

        return new GraphEdges(senders, receivers);
    }

    /// <summary>The directed edges of this mesh's faces; see <see cref="FacesToEdges(int[])"/>.</summary>
    public GraphEdges Edges() => FacesToEdges(Faces);

    /// <summary>
    /// The longest edge chord of the mesh (reference <c>_get_max_edge_distance</c>), evaluated as numpy does on float32
    /// vertices: float32 differences, float32 sum of squares, float32 square root.
    /// </summary>
    public float MaxEdgeChord()
    {
        var max = 0f;
        var faces = Faces;
        var v = Vertices;
        for (var f = 0; f < FaceCount; f++)
        {
            for (var corner = 0; corner < 3; corner++)
            {
                var a = faces[(3 * f) + corner];
                var b = faces[(3 * f) + ((corner + 1) % 3)];
                var dx = v[3 * a] - v[3 * b];
                var dy = v[(3 * a) + 1] - v[(3 * b) + 1];
                var dz = v[(3 * a) + 2] - v[(3 * b) + 2];
                var chord = MathF.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
                max = MathF.Max(max, chord);
            }
        }

        return max;
    }

    /// <summary>
    /// Writes the unit-length midpoint of vertices a and b at <paramref name="index"/>, rounded as the reference does:
    /// float32 mean (sum, then halve), float32 norm (sum of squares in index order, square root), float32 division.
    /// </summary>
    private static void WriteMidpoint(float[] vertices, int index, int a, int b)
    {
        var x = (vertices[3 * a] + vertices[3 * b]) / 2f;
        var y = (vertices[(3 * a) + 1] + vertices[(3 * b) + 1]) / 2f;
        var z = (vertices[(3 * a) + 2] + vertices[(3 * b) + 2]) / 2f;
        var norm = MathF.Sqrt((x * x) + (y * y) + (z * z));
        vertices[3 * index] = x / norm;
        vertices[(3 * index) + 1] = y / norm;
        vertices[(3 * index) + 2] = z / norm;
    }

    /// <summary>
    /// [3, 3] row-major rotation about y by <paramref name="angle"/>, formed as scipy forms it from the unit
    /// quaternion (0, sin(a/2), 0, cos(a/2)), so its float64 entries carry the same rounding.
    /// </summary>
    private static double[] RotationAboutY(double angle)
    {
        var y = Math.Sin(angle / 2.0);
        var w = Math.Cos(angle / 2.0);
        var y2 = y * y;
        var w2 = w * w;
        var yw = y * w;
        return
        [
            -y2 + w2, 0.0, 2.0 * yw,
            0.0, y2 + w2, 0.0,
            -2.0 * yw, 0.0, -y2 + w2,
        ];
    }
}
