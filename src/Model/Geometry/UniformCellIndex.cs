using System.Diagnostics;

namespace GraphCast.Model.Geometry;

/// <summary>
/// A spatial index of points in the cube [−1, 1]³ (here: mesh vertices on the unit sphere) as a uniform grid of cubic
/// cells in compressed-row form, answering "which points may lie within r of q" by visiting only the cells that
/// overlap the box q ± r. Built once, read concurrently.
/// </summary>
internal sealed class UniformCellIndex
{
    /// <summary>Cells per axis are capped so the cell table stays small (128³ ints = 8 MiB).</summary>
    private const int MaxCellsPerAxis = 128;

    /// <summary>Lower corner of the indexed cube; a small margin keeps points at ±1 off the boundary.</summary>
    private const double Origin = -1.0 - 1e-9;

    private readonly double[] _points;
    private readonly double _inverseCellSize;
    private readonly int _cellsPerAxis;

    /// <summary>[cells + 1] start of each cell's run in <see cref="_pointsByCell"/>.</summary>
    private readonly int[] _cellStart;

    /// <summary>[N] point indices grouped by cell, ascending within each cell.</summary>
    private readonly int[] _pointsByCell;

    /// <summary>Indexes <paramref name="points"/> [N, 3] with cells of at least <paramref name="cellSize"/>.</summary>
    public UniformCellIndex(double[] points, double cellSize)
    {
        Debug.Assert(points.Length % 3 == 0, "points are [N, 3].");
        if (!(cellSize > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(cellSize), cellSize, "The cell size must be positive.");
        }

        _points = points;
        var span = 2.0 * -Origin;
        _cellsPerAxis = Math.Clamp((int)Math.Floor(span / cellSize), 1, MaxCellsPerAxis);
        _inverseCellSize = _cellsPerAxis / span;

        var count = points.Length / 3;
        var cellOfPoint = new int[count];
        _cellStart = new int[(_cellsPerAxis * _cellsPerAxis * _cellsPerAxis) + 1];
        for (var i = 0; i < count; i++)
        {
            var cell = CellOf(points[3 * i], points[(3 * i) + 1], points[(3 * i) + 2]);
            cellOfPoint[i] = cell;
            _cellStart[cell + 1]++;
        }

        for (var c = 0; c + 1 < _cellStart.Length; c++)
        {
            _cellStart[c + 1] += _cellStart[c];
        }

        // Counting sort keeps ascending point order inside each cell.
        _pointsByCell = new int[count];
        var fill = (int[])_cellStart.Clone();
        for (var i = 0; i < count; i++)
        {
            _pointsByCell[fill[cellOfPoint[i]]++] = i;
        }
    }

    /// <summary>
    /// Appends to <paramref name="result"/> every point whose squared distance to (x, y, z), summed as
    /// ((dx² + dy²) + dz²) in float64, is at most <paramref name="radiusSquared"/> (the order of scipy's cKDTree
    /// test, so boundary cases agree). Order: grouped by cell, not sorted.
    /// </summary>
    public void AppendWithin(double x, double y, double z, double radius, double radiusSquared, List<int> result)
    {
        var x0 = Axis(x - radius);
        var x1 = Axis(x + radius);
        var y0 = Axis(y - radius);
        var y1 = Axis(y + radius);
        var z0 = Axis(z - radius);
        var z1 = Axis(z + radius);
        var points = _points;
        for (var ix = x0; ix <= x1; ix++)
        {
            for (var iy = y0; iy <= y1; iy++)
            {
                var row = ((ix * _cellsPerAxis) + iy) * _cellsPerAxis;
                var start = _cellStart[row + z0];
                var end = _cellStart[row + z1 + 1];
                for (var k = start; k < end; k++)
                {
                    var p = _pointsByCell[k];
                    var dx = points[3 * p] - x;
                    var dy = points[(3 * p) + 1] - y;
                    var dz = points[(3 * p) + 2] - z;
                    var d2 = (dx * dx) + (dy * dy) + (dz * dz);
                    if (d2 <= radiusSquared)
                    {
                        result.Add(p);
                    }
                }
            }
        }
    }

    private int CellOf(double x, double y, double z) =>
        (((Axis(x) * _cellsPerAxis) + Axis(y)) * _cellsPerAxis) + Axis(z);

    private int Axis(double coordinate) =>
        Math.Clamp((int)Math.Floor((coordinate - Origin) * _inverseCellSize), 0, _cellsPerAxis - 1);
}
