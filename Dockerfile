FROM python:3.11-slim
# MALLOC_ARENA_MAX: glibc gives each thread of a threads-pool worker its own malloc arena, which holds freed
# memory; two arenas kept a 16-thread worker converting full texts at 163 MB instead of 187 (bench/ingest_bench.py).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --create-home paperhub && mkdir -p /app/media && chown paperhub /app/media
USER paperhub
EXPOSE 8000
CMD ["gunicorn", "paperhub.wsgi"]
