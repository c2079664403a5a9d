FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --create-home paperhub && mkdir -p /app/media && chown paperhub /app/media
USER paperhub
EXPOSE 8000
CMD ["gunicorn", "paperhub.wsgi"]
